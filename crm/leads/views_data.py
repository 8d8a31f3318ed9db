"""Lead data pages beside the list: exports of the filtered list, merging two leads, old references.

Kept apart from views.py (the lead pages themselves) so the two grow independently.
"""

from datetime import date

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm.exc import StaleDataError

from crm.core.formatting import local_today
from crm.extensions import db
from crm.leads import bp, exports, queries, services
from crm.leads import merge as merging
from crm.leads.aliases import kept_lead_id
from crm.leads.models import Lead

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "zh"


@bp.before_request
def _follow_merged_lead():
    """A merged lead's old address (/leads/<old id>/...) leads to the lead it was merged into."""
    lead_id = (request.view_args or {}).get("lead_id")
    if request.method not in ("GET", "HEAD") or not isinstance(lead_id, int):
        return None
    if db.session.get(Lead, lead_id) is not None:
        return None
    kept = kept_lead_id(lead_id)
    if kept is None:
        return None
    return redirect(url_for(request.endpoint, **{**request.view_args, "lead_id": kept}, **request.args))


# ---------------------------------------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------------------------------------

def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters() -> queries.LeadFilters:
    """The list's filters from the query string, read as the list page reads them."""
    args = request.args
    return queries.LeadFilters(
        q=args.get("q", "")[:100], stage=args.get("stage", ""), kind=args.get("kind", ""),
        owner=args.get("owner", ""), industry=args.get("industry", ""), source=args.get("source", ""),
        created_from=_parse_date(args.get("created_from")), created_to=_parse_date(args.get("created_to")),
        sort=args.get("sort", "newest"))


def _export_name(extension: str) -> str:
    return f"leads-{local_today():%Y%m%d}.{extension}"


@bp.get("/export.xlsx")
@login_required
def export_xlsx():
    """The filtered lead list as an Excel workbook, headers in the reader's language."""
    leads = queries.filtered_leads(_filters(), user=current_user)
    output = exports.write_xlsx(leads, reader=current_user, industries=queries.industry_names(_language()))
    return send_file(output, mimetype=XLSX, as_attachment=True, download_name=_export_name("xlsx"))


@bp.get("/export.csv")
@login_required
def export_csv():
    """The filtered lead list as CSV (UTF-8 with BOM, so Excel shows Chinese)."""
    leads = queries.filtered_leads(_filters(), user=current_user)
    output = exports.write_csv(leads, reader=current_user, industries=queries.industry_names(_language()))
    return send_file(output, mimetype="text/csv; charset=utf-8", as_attachment=True,
                     download_name=_export_name("csv"))


# ---------------------------------------------------------------------------------------------------------
# Merge
# ---------------------------------------------------------------------------------------------------------

def _other_lead(text: str) -> Lead | None:
    """The lead named by a reference (ZS-2026-000123, also an old merged one) or an id."""
    text = (text or "").strip()[:40]
    lead_id = queries.lead_id_from_reference(text)
    if lead_id is None and text.isascii() and text.isdigit() and len(text) <= 9:
        lead_id = int(text)
    if lead_id is None:
        return None
    return db.session.get(Lead, lead_id) or db.session.get(Lead, kept_lead_id(lead_id) or 0)


@bp.route("/<int:lead_id>/merge", methods=["GET", "POST"])
@login_required
def merge(lead_id):
    """Merge another lead into this one: pick each differing value, then keep this lead's reference."""
    lead = db.get_or_404(Lead, lead_id)
    if not services.can_edit(current_user, lead):
        abort(403)
    source = request.values.get("with", "")
    other = _other_lead(source) if source else None
    if other is None or other.id == lead.id:
        if source:
            flash(_("No other lead has the reference “%(ref)s”.", ref=source[:40]), "danger")
        status = 400 if source or request.method == "POST" else 200
        return render_template("leads/merge.html", lead=lead, other=None, candidates=_candidates(lead)), status
    if not merging.can_merge(current_user, lead, other):
        abort(403)
    fields = merging.differences(lead, other, current_user)
    if request.method == "POST":
        return _do_merge(lead, other, fields)
    return _render_merge(lead, other, fields)


def _render_merge(lead, other, fields, status=200):
    choices = {f: request.form.get(f"take-{f}") or merging.default_choice(lead, other, f) for f in fields}
    return render_template("leads/merge.html", lead=lead, other=other, fields=fields, choices=choices,
                           industry_names=queries.industry_names(_language()),
                           owner_names={u.id: u.name for u in queries.active_users()}), status


def _do_merge(lead, other, fields):
    take = [f for f in fields if request.form.get(f"take-{f}") == "other"]
    versions = [request.form.get("lead_version", ""), request.form.get("other_version", "")]
    if not all(v.isascii() and v.isdigit() and len(v) <= 9 for v in versions):
        flash(_("The form is incomplete; open the merge again."), "danger")
        return _render_merge(lead, other, fields, status=400)
    reference = other.reference
    try:
        merging.merge_leads(lead, other, by=current_user, take_from_other=take, lead_version=int(versions[0]),
                          other_version=int(versions[1]))
        db.session.commit()
    except (services.VersionConflict, StaleDataError):
        db.session.rollback()
        flash(_("One of the leads was changed while you were merging; check the values again."), "warning")
        return redirect(url_for("leads.merge", lead_id=lead.id, **{"with": other.id}), code=303)
    except (merging.MergeError, services.LeadPermissionError) as err:
        db.session.rollback()
        flash(str(err), "danger")
        return _render_merge(db.session.get(Lead, lead.id), db.session.get(Lead, other.id), fields, status=409)
    flash(_("Lead %(old)s was merged into this lead; its reference still finds it.", old=reference), "success")
    return redirect(url_for("leads.detail", lead_id=lead.id), code=303)


def _candidates(lead) -> list[Lead]:
    """Leads this one is linked to as possible collisions, offered on the picker."""
    return list(db.session.scalars(
        select(Lead).where(Lead.id != lead.id, or_(Lead.id == lead.collides_with_id,
                                                   Lead.collides_with_id == lead.id)).limit(20)))
