"""Privacy pages: an admin finds one enquirer, exports or erases their data; a lead made confidential."""

from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crm.auth.models import User
from crm.core.access import admin_required
from crm.core.formatting import local_today
from crm.extensions import db
from crm.leads.models import Lead
from crm.privacy import _bp as bp
from crm.privacy import consent, services
from crm.privacy.forms import ACTIONS, FOUND_BY, ConfidentialForm, EraseForm, ExportForm


@bp.get("/admin/privacy")
@admin_required
def index():
    """Find an enquirer by mobile, email or lead reference; consent versions; the privacy log."""
    q = request.args.get("q", "")[:254]
    return _render_index(q)


def _render_index(q: str, *, export_form=None, erase_form=None, status: int = 200):
    search = services.find_enquirer(q)
    return render_template(
        "privacy/index.html", q=q, search=search, too_many=len(search.leads) > services.MAX_LEADS,
        max_leads=services.MAX_LEADS,
        export_form=export_form or ExportForm(q=q), erase_form=erase_form or EraseForm(q=q),
        versions=list(consent.TEXTS.values()), current_version=consent.current_version(),
        events=services.recent_events(), ACTIONS=ACTIONS, FOUND_BY=FOUND_BY), status


@bp.post("/admin/privacy/export")
@admin_required
def export():
    """Download everything held about one enquirer (JSON or Excel); the download is audited."""
    form = ExportForm()
    if not form.validate_on_submit():
        return _render_index(form.q.data or "", export_form=form, status=400)
    search = services.find_enquirer(form.q.data)
    try:
        data, mimetype = services.export_enquirer(search.leads, by=current_user, fmt=form.format.data,
                                                  subject=search.subject)
    except services.PrivacyError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return _render_index(form.q.data, export_form=form, status=422)
    db.session.commit()
    response = send_file(BytesIO(data), mimetype=mimetype, as_attachment=True,
                         download_name=f"personal-data-{local_today().isoformat()}.{form.format.data}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/admin/privacy/erase")
@admin_required
def erase():
    """Anonymise one enquirer's leads for good, keeping the statistics; audited."""
    form = EraseForm()
    if not form.validate_on_submit():
        return _render_index(form.q.data or "", erase_form=form, status=400)
    search = services.find_enquirer(form.q.data)
    try:
        counts = services.erase_enquirer(search.leads, by=current_user, reason=form.reason.data,
                                         subject=search.subject)
    except services.PrivacyError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return _render_index(form.q.data, erase_form=form, status=422)
    db.session.commit()
    flash(_("Erased: %(leads)s leads anonymised, %(activities)s activity notes cleared.",
            leads=counts["leads"], activities=counts["activities"]), "success")
    return redirect(url_for("privacy.index"))


def confidential_form(lead: Lead, user) -> ConfidentialForm | None:
    """The lead page's confidentiality form, for the people who may use it (None for the others)."""
    if not services.can_classify(user, lead):
        return None
    form = ConfidentialForm(is_confidential=lead.is_confidential, codename=lead.codename or "",
                            sponsoring_leader_id=str(lead.sponsoring_leader_id or ""), formdata=None)
    _leader_choices(form)
    return form


def _leader_choices(form: ConfidentialForm) -> None:
    people = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name, User.id))
    form.sponsoring_leader_id.choices = [("", "—")] + [(str(u.id), u.name) for u in people]


@bp.post("/leads/<int:lead_id>/confidential")
@login_required
def confidential(lead_id):
    """Mark a lead confidential under a codename, or lift it; a manager may also link the sponsoring leader."""
    lead = db.get_or_404(Lead, lead_id)
    if not services.can_classify(current_user, lead):
        abort(403)
    form = ConfidentialForm()
    _leader_choices(form)
    if not form.validate_on_submit():
        flash(_("Choose an active user."), "danger")
        return redirect(url_for("leads.detail", lead_id=lead.id))
    leader_id = form.sponsoring_leader_id.data
    change_leader = current_user.is_manager and leader_id != str(lead.sponsoring_leader_id or "")
    leader = db.session.get(User, int(leader_id)) if change_leader and leader_id else None
    try:
        services.set_confidential(lead, confidential=form.is_confidential.data, codename=form.codename.data,
                                  by=current_user, sponsoring_leader=leader, change_leader=change_leader)
    except services.PrivacyError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return redirect(url_for("leads.detail", lead_id=lead.id))
    db.session.commit()
    flash(_("Confidentiality saved."), "success")
    return redirect(url_for("leads.detail", lead_id=lead.id))
