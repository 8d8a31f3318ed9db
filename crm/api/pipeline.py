"""JSON API v1: a lead's activities, and stage changes through the same gates as the board."""

from datetime import datetime, time

from flask import g, jsonify
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from crm.api import bp
from crm.api.auth import api_error, token_required
from crm.api.inventory import page_args
from crm.api.schemas import activity_json, lead_json
from crm.api.views import _errors, _json_body, _lead_or_none
from crm.core.database import utcnow
from crm.core.formatting import local_today
from crm.core.forms import clean_text
from crm.core.pagination import paginate
from crm.extensions import db
from crm.leads import services
from crm.leads.enquiry import JsonShapeError, formdata_from_json
from crm.leads.forms import ActivityForm
from crm.leads.models import Activity, Lead
from crm.leads.stages import GATE_FIELDS, PipelineError

ACTIVITY_FIELDS = ("kind", "outcome", "occurred_on", "next_action", "next_action_due")
STAGE_FIELDS = ("stage", "reason", "version")


def _no_lead():
    return api_error(404, _("No lead with this id."))


def _unknown_fields(payload: dict, allowed) -> dict:
    return {name: [_("This field cannot be changed here.")] for name in sorted(set(payload) - set(allowed))}


@bp.get("/leads/<int:lead_id>/activities")
@token_required
def list_activities(lead_id):
    """A lead's calls, visits, meetings... newest first, paginated."""
    lead = _lead_or_none(lead_id)
    if lead is None:
        return _no_lead()
    page, per_page = page_args()
    query = (select(Activity).where(Activity.lead_id == lead.id)
             .order_by(Activity.occurred_at.desc(), Activity.id.desc()))
    result = paginate(query, page, per_page)
    return jsonify(items=[activity_json(a) for a in result.items], total=result.total, page=result.page,
                   per_page=result.per_page)


@bp.post("/leads/<int:lead_id>/activities")
@token_required
def add_activity(lead_id):
    """Log a call, visit, meeting... (same validation and rules as the lead page)."""
    lead = _lead_or_none(lead_id)
    if lead is None:
        return _no_lead()
    try:
        payload = _json_body()
        data = formdata_from_json(payload)
    except JsonShapeError as err:
        return api_error(422, _("Some values are not valid."), err.fields)
    if not services.can_edit(g.api_user, lead):
        return api_error(403, _("You can only change leads you own or unassigned ones."))
    unknown = _unknown_fields(payload, ACTIVITY_FIELDS)
    if unknown:
        return api_error(422, _("Some values are not valid."), unknown)
    form = ActivityForm(formdata=data, meta={"csrf": False})
    if not form.validate():
        return api_error(422, _("Some values are not valid."), _errors(form))
    occurred = utcnow()
    if form.occurred_on.data and form.occurred_on.data != local_today():
        occurred = datetime.combine(form.occurred_on.data, time(9, 0))
    activity = services.log_activity(lead, kind=form.kind.data, outcome=form.outcome.data, by=g.api_user,
                                     occurred_at=occurred, next_action=form.next_action.data,
                                     next_action_due=form.next_action_due.data)
    db.session.commit()
    return jsonify(activity_json(activity)), 201


@bp.post("/leads/<int:lead_id>/stage")
@token_required
def change_stage(lead_id):
    """Move a lead through its gate; a refusal names what is missing, a stale version gets 409."""
    lead = _lead_or_none(lead_id)
    if lead is None:
        return _no_lead()
    try:
        payload = _json_body()
        formdata_from_json(payload)  # refuses nested values and unstorable text
    except JsonShapeError as err:
        return api_error(422, _("Some values are not valid."), err.fields)
    errors = _unknown_fields(payload, STAGE_FIELDS)
    version, stage, reason = payload.get("version"), payload.get("stage"), payload.get("reason")
    if not isinstance(version, int) or isinstance(version, bool):
        errors["version"] = [_("Send the version of the lead your change is based on.")]
    if not isinstance(stage, str) or not stage:
        errors["stage"] = [_("Give the stage to move to.")]
    if reason is not None and (not isinstance(reason, str) or len(reason) > 500):
        errors["reason"] = [_("Give a reason of at most 500 characters.")]
    if errors:
        return api_error(422, _("Some values are not valid."), errors)
    if not services.can_edit(g.api_user, lead):
        return api_error(403, _("You can only change leads you own or unassigned ones."))
    if version != lead.version:
        return _conflict(lead)
    try:
        services.move_lead(lead, stage, by=g.api_user, reason=clean_text(reason) or None)
        db.session.commit()
    except PipelineError as err:
        db.session.rollback()
        fields = {code: [str(GATE_FIELDS[code])] for code in err.missing} or {"stage": [str(err)]}
        return api_error(422, str(err), fields)
    except StaleDataError:
        db.session.rollback()
        return _conflict(db.session.get(Lead, lead_id))
    except services.LeadPermissionError as err:
        db.session.rollback()
        return api_error(403, str(err))
    return jsonify(lead_json(lead))


def _conflict(lead: Lead):
    db.session.refresh(lead)
    return jsonify(error=_("Someone else changed this lead; reload it and apply your change again."),
                   fields={"version": [_("Current version is %(v)s.", v=lead.version)]},
                   version=lead.version), 409
