"""JSON API v1: thin adapters over the same services and forms the pages use."""

from flask import g, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from crm.api import bp
from crm.api.auth import api_error, token_required
from crm.api.openapi import document
from crm.api.schemas import lead_form_data, lead_json
from crm.core.forms import clean_text
from crm.core.vocabulary import LEAD_SOURCES, STAGES
from crm.extensions import db
from crm.leads import industries, queries, services
from crm.leads.aliases import kept_lead_id
from crm.leads.enquiry import EnquiryForm, JsonShapeError, formdata_from_json
from crm.leads.forms import LeadForm
from crm.leads.models import Lead

MAX_PER_PAGE = 100
MAX_PAGE = 100000
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL; SQLite overflows a little later


class LeadMerged(Exception):
    """The lead id asked for was merged into another lead; `lead_id` is the one that absorbed it."""

    def __init__(self, old_lead_id: int, lead_id: int):
        super().__init__(f"lead {old_lead_id} was merged into lead {lead_id}")
        self.old_lead_id = old_lead_id
        self.lead_id = lead_id


@bp.errorhandler(LeadMerged)
def _follow_merged_lead(err: LeadMerged):
    """Send the client to the same operation on the lead that absorbed the old one, as the pages do.

    308, not 301 or 302: the client repeats a PATCH or POST with its method and body, and since a merge is
    not undone, it may remember the new address. The body names the lead too, for clients that do not follow.
    """
    location = url_for(request.endpoint, **{**request.view_args, "lead_id": err.lead_id})
    if request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    response = jsonify(message=_("Lead %(old)s was merged into lead %(new)s.", old=err.old_lead_id, new=err.lead_id),
                       merged_into=err.lead_id, location=location)
    response.status_code = 308
    response.headers["Location"] = location
    return response


def _json_body():
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # [[[[… nested deeper than the parser's recursion limit
        payload = None
    if payload is None:
        raise JsonShapeError({"_": [_("Send a JSON object with Content-Type: application/json.")]})
    return payload


@bp.get("/openapi.json")
def openapi():
    """The API's description; public, like any API reference."""
    return jsonify(document(url_for("api.openapi", _external=True).rsplit("/", 1)[0]))


@bp.post("/enquiries")
@token_required
def create_enquiry():
    """A partner portal forwards an investor's enquiry."""
    try:
        payload = _json_body()
        form = EnquiryForm(formdata=formdata_from_json(payload), meta={"csrf": False})
    except JsonShapeError as err:
        return api_error(422, _("Some values are not valid."), err.fields)
    form.set_industries(industries.active_choices(), "zh")
    if not form.validate():
        return api_error(422, _("Some values are not valid."), _errors(form))
    source = payload.get("source") if payload.get("source") in LEAD_SOURCES else "web_form"
    lead = services.create_lead(form.lead_values(), by=None, source=source)
    created = {"id": lead.id, "reference": lead.reference, "status_token": lead.status_token}
    db.session.commit()  # read before committing: afterwards the lead would be loaded again for nothing
    return jsonify(created), 201


@bp.get("/leads")
@token_required
def list_leads():
    """Leads, paginated, filtered by stage, owner and a search."""
    args = request.args
    page = min(max(args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    per_page = min(max(args.get("per_page", 50, type=int) or 50, 1), MAX_PER_PAGE)
    stage = args.get("stage", "")
    owner = args.get("owner", "")
    errors = {}
    if stage and stage not in STAGES and stage != "open":
        errors["stage"] = [_("Unknown stage.")]
    if owner not in ("", "me", "none") and not _is_id(owner):
        errors["owner"] = [_("Give a user id, \"me\" or \"none\".")]
    if errors:
        return api_error(422, _("Some values are not valid."), errors)
    filters = queries.LeadFilters(q=clean_text(args.get("q", ""))[:100], stage=stage, owner=owner)
    result = queries.lead_page(filters, user=g.api_user, page=page, per_page=per_page)
    return jsonify(items=[lead_json(lead) for lead in result.items], total=result.total, page=result.page,
                   per_page=result.per_page)


@bp.get("/leads/<int:lead_id>")
@token_required
def get_lead(lead_id):
    """One lead, with the `version` a PATCH must carry."""
    lead = _lead_or_none(lead_id)
    if lead is None:
        return api_error(404, _("No lead with this id."))
    return jsonify(lead_json(lead))


@bp.patch("/leads/<int:lead_id>")
@token_required
def patch_lead(lead_id):
    """Change editable fields. The body carries the `version` it was based on; a stale one gets 409."""
    lead = _lead_or_none(lead_id)
    if lead is None:
        return api_error(404, _("No lead with this id."))
    try:
        payload = _json_body()
        patch = formdata_from_json(payload)
    except JsonShapeError as err:
        return api_error(422, _("Some values are not valid."), err.fields)
    version = payload.get("version") if isinstance(payload, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):
        return api_error(422, _("Some values are not valid."),
                         {"version": [_("Send the version of the lead your change is based on.")]})
    unknown = sorted(set(payload) - set(services.EDITABLE_FIELDS) - {"version"})
    if unknown:
        return api_error(422, _("Some values are not valid."),
                         {name: [_("This field cannot be changed here.")] for name in unknown})
    if not services.can_edit(g.api_user, lead):
        return api_error(403, _("You can only change leads you own or unassigned ones."))
    data = MultiDict(lead_form_data(lead))
    for key in patch:
        data.setlist(key, patch.getlist(key))
    for key in payload:
        if payload[key] is None and key != "version":
            data.setlist(key, [""])  # null clears a field (a required one then fails validation)
    form = LeadForm(formdata=data, meta={"csrf": False})
    form.set_industries(industries.active_choices(), "zh")
    if not form.validate():
        fields = {k: v for k, v in _errors(form).items() if k in payload} or _errors(form)
        return api_error(422, _("Some values are not valid."), fields)
    values = form.lead_values()
    changes = {key: values[key] for key in payload if key in values}
    try:
        services.update_lead(lead, changes, by=g.api_user, expected_version=version)
        db.session.commit()
    except (services.VersionConflict, StaleDataError):
        db.session.rollback()
        current = db.session.get(Lead, lead_id)
        db.session.refresh(current)
        return jsonify(error=_("Someone else changed this lead; reload it and apply your change again."),
                       fields={"version": [_("Current version is %(v)s.", v=current.version)]},
                       version=current.version), 409
    except services.LeadPermissionError as err:
        db.session.rollback()
        return api_error(403, str(err))
    return jsonify(lead_json(lead))


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and int(text) <= MAX_ID


def _lead_or_none(lead_id: int) -> Lead | None:
    """The lead with this id, or None; raises LeadMerged (answered with a 308) for a merged-away id."""
    if not 0 < lead_id <= MAX_ID:
        return None
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        kept = kept_lead_id(lead_id)
        if kept is not None:
            raise LeadMerged(lead_id, kept)
    return lead


def _errors(form) -> dict:
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}
