"""Pages without login: the start page, the enquiry form and its status page, the health check."""

import re

from flask import jsonify, make_response, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select, text

from crm.extensions import db
from crm.leads import industries, services
from crm.leads.enquiry import EnquiryForm
from crm.leads.models import Lead
from crm.public import bp

LAST_ENQUIRY = "last_enquiry"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


@bp.get("/")
def home():
    """Staff go to their day; everyone else to the enquiry form."""
    if current_user.is_authenticated:
        return redirect(url_for("leads.my_day"))
    return redirect(url_for("public.enquiry"))


def _enquiry_form(**kwargs) -> EnquiryForm:
    form = EnquiryForm(**kwargs)
    locale = get_locale()
    form.set_industries(industries.active_choices(), locale.language if locale else "zh")
    return form


@bp.route("/enquiry", methods=["GET", "POST"])
def enquiry():
    """The zone's public enquiry form."""
    form = _enquiry_form()
    if form.is_submitted() and form.is_bot:
        # Whatever else a bot sent, it gets the page a person would see and nothing is stored.
        session.pop(LAST_ENQUIRY, None)
        return redirect(url_for("public.thanks"), code=303)
    if form.validate_on_submit():
        lead = services.create_lead(form.lead_values(), by=None, source="web_form")
        session[LAST_ENQUIRY] = lead.status_token
        db.session.commit()
        return redirect(url_for("public.thanks"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("public/enquiry.html", form=form), status


@bp.get("/enquiry/thanks")
def thanks():
    """The reference and the private status link of the enquiry just sent."""
    token = session.get(LAST_ENQUIRY)
    lead = db.session.scalar(select(Lead).where(Lead.status_token == token)) if token else None
    response = make_response(render_template("public/thanks.html", lead=lead))
    _keep_private(response)
    return response


@bp.get("/enquiry/status/<token>")
def status(token):
    """What an investor may see of their enquiry: its stage in plain words."""
    # Tokens are URL-safe base64; anything else (a NUL byte would upset PostgreSQL) matches nothing.
    lead = db.session.scalar(select(Lead).where(Lead.status_token == token)) if _TOKEN.fullmatch(token) else None
    if lead is None:
        return render_template("errors/error.html", status=404,
                               message=_("We cannot find an enquiry for this link.")), 404
    response = make_response(render_template("public/status.html", lead=lead))
    _keep_private(response)
    return response


def _keep_private(response) -> None:
    """The status link is the only key to the page: keep it out of caches, search engines and Referer headers."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"


@bp.get("/healthz")
def healthz():
    """200 when the database answers; 503 otherwise, for the load balancer."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", whatever the driver raises
        db.session.rollback()
        return jsonify(status="error"), 503
    return jsonify(status="ok")
