"""Writes to leads: create, edit, assign, move through the pipeline, log activities.

Every service takes the acting user (`by`), flushes, and leaves the commit to its caller.
"""

import secrets
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, or_, select

from crm.auth.models import User
from crm.core.database import utcnow
from crm.core.values import same_value
from crm.core.vocabulary import ACTIVITY_KINDS, STAGES
from crm.extensions import db
from crm.leads import stages
from crm.leads.identity import mobile_or_none, normalise_company, normalise_credit_code
from crm.leads.models import Activity, Lead, LeadEvent
from crm.leads.persistence import insert_leads
from crm.leads.stages import PipelineError
from crm.notifications import services as notices
from crm.privacy import consent as consent_texts

# Fields an officer may edit on a lead (stage, owner and reasons change through their own services).
EDITABLE_FIELDS = (
    "kind", "source", "company_name", "credit_code", "contact_name", "mobile", "email", "industry_code",
    "intended_use", "land_mu", "floor_area_m2", "budget_wan", "timing", "planned_investment_wan",
    "expected_output_wan", "expected_tax_wan", "jobs", "sponsoring_leader", "priority", "is_key",
    "next_action", "next_action_due", "message",
)
# Only managers set these: they decide which leads leaders spend their time on.
MANAGER_FIELDS = ("sponsoring_leader", "is_key")


class LeadPermissionError(Exception):
    """The acting user may not do this to this lead."""


class VersionConflict(Exception):
    """Someone saved the lead after the editor opened it."""

    def __init__(self, lead: Lead, expected: int | None):
        super().__init__(f"lead {lead.id} is at version {lead.version}, edit was based on {expected}")
        self.lead = lead
        self.expected = expected


def can_edit(user: User | None, lead: Lead) -> bool:
    """Managers and admins edit everything; officers edit leads they own or that nobody owns."""
    if user is None or not user.is_authenticated:
        return False
    if lead.is_confidential and lead.owner_id is None:  # nobody else may open it up by taking it
        return bool(user.is_manager)
    return user.is_manager or lead.owner_id in (None, user.id)


def require_edit(user: User, lead: Lead) -> None:
    if not can_edit(user, lead):
        raise LeadPermissionError(_l("You can only change leads you own or unassigned ones."))


def _audit(lead: Lead, kind: str, *, by: User | None, field: str | None = None, old=None, new=None,
           note: str | None = None) -> LeadEvent:
    # Added to the session, not appended to lead.events: loading that collection would autoflush the lead
    # half-edited and bump its version twice for one save.
    event = LeadEvent(**_event_values(lead, kind, by=by, field=field, old=old, new=new, note=note))
    db.session.add(event)
    return event


def _event_values(lead: Lead, kind: str, *, by: User | None, field: str | None = None, old=None, new=None,
                  note: str | None = None) -> dict:
    """The column values of one audit row (shared by `_audit` and bulk inserts)."""
    return dict(lead_id=lead.id, kind=kind, field=field, old_value=_as_text(old), new_value=_as_text(new),
                note=note, user_id=by.id if by else None, at=utcnow())


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _identity_keys(lead: Lead) -> None:
    lead.company_key = normalise_company(lead.company_name)[:200]  # NFKC can lengthen text (ﷺ → 18 letters)
    lead.credit_code = normalise_credit_code(lead.credit_code) or None
    normalised = mobile_or_none(lead.mobile)
    if normalised:
        lead.mobile = normalised


def create_lead(data: dict, *, by: User | None, source: str | None = None) -> Lead:
    """Record a new lead from the form, an officer, the API or an import; link it to any collision.

    The lead is always kept: a collision only links and notifies, it never drops an investor's message.
    """
    lead = build_lead(data, by=by, source=source)
    # Every public enquiry runs this (issue 8): reads first, then the writes back to back as Core INSERTs,
    # which keeps SQLite's write lock short and skips the unit of work.
    with db.session.no_autoflush:
        match, reason = find_collision(lead)
        if match is not None:
            lead.collides_with_id, lead.collision_reason = match.id, reason
        insert_leads([lead])
        db.session.add(lead)
        db.session.connection().execute(insert(LeadEvent.__table__), creation_events(lead, by=by))
        if match is not None:
            link_to(lead, match, reason, by=by)
        if lead.source == "web_form" or by is None:
            notices.notify_new_enquiry(lead)
    db.session.flush()
    return lead


def build_lead(data: dict, *, by: User | None, source: str | None = None) -> Lead:
    """A new lead as `create_lead` records it (stage, status token, owner, normalised keys), not yet added
    to the session; the lead import builds thousands this way and inserts them at once."""
    fields = {key: value for key, value in data.items() if key in EDITABLE_FIELDS or key in (
        "consent", "consent_version", "owner_id")}
    if source:
        fields["source"] = source
    lead = Lead(**fields)
    lead.stage = "enquiry"
    lead.status_token = secrets.token_urlsafe(24)
    lead.created_by_id = by.id if by else None
    now = utcnow()
    lead.created_at = lead.updated_at = lead.stage_entered_at = now
    if lead.consent:
        # The version of the text the investor was shown (the form sends it back), else the current one.
        lead.consent_at = now
        shown = lead.consent_version
        lead.consent_version = shown if consent_texts.text_for(shown) else consent_texts.current_version()
    else:
        lead.consent_version = None
    if by is not None and not by.is_manager and lead.owner_id is None:
        lead.owner_id = by.id  # an officer logging a call is working that lead
    _identity_keys(lead)
    return lead


def creation_events(lead: Lead, *, by: User | None) -> list[dict]:
    """The audit rows every new lead gets (created; assigned when it has an owner), as column values."""
    events = [_event_values(lead, "created", by=by, field="stage", new=lead.stage, note=lead.source)]
    if lead.owner_id:
        events.append(_event_values(lead, "assigned", by=by, field="owner_id", new=lead.owner_id))
    return events


def find_collision(lead: Lead) -> tuple[Lead | None, str | None]:
    """The earliest other lead for the same investor, and what matched (mobile, credit_code, company)."""
    by_company = bool(lead.company_key and len(lead.company_key) >= 2)
    if not (lead.mobile or lead.credit_code or by_company):
        return None, None
    query = _collision_query(bool(lead.mobile), bool(lead.credit_code), by_company, lead.id is not None)
    match_id = db.session.connection().scalar(query, {"mobile": lead.mobile, "credit_code": lead.credit_code,
                                                      "company_key": lead.company_key, "id": lead.id})
    if match_id is None:
        return None, None
    match = db.session.get(Lead, match_id)
    return match, collision_reason(lead, match)


@cache
def _collision_query(by_mobile: bool, by_credit_code: bool, by_company: bool, other_than_id: bool):
    # Built once per shape: every enquiry asks (issue 8). The id alone, not a lead with its owner and
    # industry joined in, since most enquiries match nobody.
    conditions = [column == bindparam(column.key) for column, wanted in (
        (Lead.mobile, by_mobile), (Lead.credit_code, by_credit_code), (Lead.company_key, by_company)) if wanted]
    query = select(Lead.id).where(or_(*conditions)).order_by(Lead.created_at, Lead.id).limit(1)
    return query.where(Lead.id != bindparam("id")) if other_than_id else query


def collision_reason(lead, match) -> str:
    """What `match` (found by mobile, credit code or company key) shares with `lead`, strongest first."""
    if lead.credit_code and match.credit_code == lead.credit_code:
        return "credit_code"
    if lead.mobile and match.mobile == lead.mobile:
        return "mobile"
    return "company"


def link_collision(lead: Lead, *, by: User | None) -> Lead | None:
    """Link `lead` to an earlier lead for the same investor and tell both owners (撞单)."""
    match, reason = find_collision(lead)
    if match is None:
        return None
    return link_to(lead, match, reason, by=by)


def link_to(lead: Lead, match: Lead, reason: str, *, by: User | None) -> Lead:
    """Record that `lead` collides with the earlier `match`, audit it on both and tell both owners."""
    lead.collides_with_id = match.id
    lead.collision_reason = reason
    _audit(lead, "collision", by=by, field="collides_with_id", new=match.id, note=reason)
    _audit(match, "collision", by=by, field="collides_with_id", new=lead.id, note=reason)
    notices.notify_collision(lead, match, reason)
    return match


def update_lead(lead: Lead, changes: dict, *, by: User, expected_version: int | None) -> list[str]:
    """Apply edited fields, auditing each change. Returns the names of the fields that changed.

    `expected_version` is the version the editor saw; if the lead has moved on since, nothing is applied.
    """
    require_edit(by, lead)
    if expected_version is None or int(expected_version) != lead.version:
        raise VersionConflict(lead, expected_version)
    changed, olds = [], {}
    for field, value in changes.items():
        if field not in EDITABLE_FIELDS:
            continue
        if field in MANAGER_FIELDS and not by.is_manager and value != getattr(lead, field):
            raise LeadPermissionError(_l("Only a manager can set the sponsoring leader or the key flag."))
        old = getattr(lead, field)
        if same_value(old, value):
            continue
        setattr(lead, field, value)
        olds[field] = old
        changed.append(field)
    if set(changed) & {"company_name", "credit_code", "mobile"}:
        _identity_keys(lead)
    for field in changed:
        _audit(lead, "field", by=by, field=field, old=olds[field], new=getattr(lead, field))
    if changed:
        lead.updated_at = utcnow()
        if not lead.collides_with_id and set(changed) & {"company_name", "credit_code", "mobile"}:
            link_collision(lead, by=by)
        db.session.flush()
    return changed


def assign_lead(lead: Lead, owner: User | None, *, by: User) -> None:
    """Give the lead to an officer (managers and admins only)."""
    if not by.is_manager:
        raise LeadPermissionError(_l("Only a manager can assign leads."))
    if owner is not None and not owner.is_active:
        raise LeadPermissionError(_l("That user is inactive."))
    if lead.owner_id == (owner.id if owner else None):
        return
    old = lead.owner_id
    lead.owner_id = owner.id if owner else None
    lead.owner = owner
    _audit(lead, "assigned", by=by, field="owner_id", old=old, new=lead.owner_id)
    if owner is not None and owner.id != by.id:
        notices.notify_assigned(lead, owner, by)
    lead.updated_at = utcnow()
    db.session.flush()


def claim_lead(lead: Lead, *, by: User) -> None:
    """An officer takes an unassigned lead."""
    if lead.owner_id == by.id:
        return
    if lead.owner_id is not None:
        raise LeadPermissionError(_l("This lead already has an owner."))
    if lead.is_confidential and not by.is_manager:
        raise LeadPermissionError(_l("A confidential lead is assigned by a manager."))
    lead.owner_id = by.id
    lead.owner = by
    _audit(lead, "assigned", by=by, field="owner_id", old=None, new=by.id, note="claimed")
    lead.updated_at = utcnow()
    db.session.flush()


def move_lead(lead: Lead, stage: str, *, by: User, reason: str | None = None,
              figures: dict | None = None) -> Lead:
    """Put the lead in a new stage if its gate allows. `figures` supplies data the gate asked for."""
    require_edit(by, lead)
    if stage not in STAGES:
        raise PipelineError(_l("Unknown stage."))
    if figures:
        update_lead(lead, figures, by=by, expected_version=lead.version)
    if stage == "lost":
        lead.lost_reason = (reason or lead.lost_reason or "").strip() or None
    if stage == "on_hold" and reason:
        lead.hold_reason = reason.strip()
    stages.check_transition(lead, stage)
    old = lead.stage
    lead.stage = stage
    lead.stage_entered_at = utcnow()
    lead.updated_at = lead.stage_entered_at
    _audit(lead, "stage", by=by, field="stage", old=old, new=stage, note=reason)
    if stage == "signed":
        from crm.projects.services import create_project_from_lead  # late import: projects build on leads

        create_project_from_lead(lead, by=by)  # same transaction: a failure here undoes the signing too
    db.session.flush()
    return lead


def log_activity(lead: Lead, *, kind: str, outcome: str, by: User, occurred_at: datetime | None = None,
                 next_action: str | None = None, next_action_due: date | None = None) -> Activity:
    """Record a call, visit, meeting...; its next action becomes the lead's next action."""
    require_edit(by, lead)
    if kind not in ACTIVITY_KINDS:
        raise PipelineError(_l("Unknown activity kind."))
    activity = Activity(kind=kind, outcome=outcome or "", user_id=by.id, occurred_at=occurred_at or utcnow(),
                        next_action=next_action or None, next_action_due=next_action_due)
    lead.activities.append(activity)
    lead.last_activity_at = max(filter(None, (lead.last_activity_at, activity.occurred_at)))
    if next_action or next_action_due:
        lead.next_action = next_action or lead.next_action
        lead.next_action_due = next_action_due
    if lead.owner_id is None and not by.is_manager:
        claim_lead(lead, by=by)
    db.session.flush()
    return activity


def stage_label(code: str) -> str:
    return STAGES.label(code)
