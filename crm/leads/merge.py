"""Merging two leads for the same investor into one (the answer to a collision, 撞单).

The kept lead takes, field by field, the value chosen from either lead; it receives every activity, audit
event, notice, site reservation and import row of the other (every row of any table that points at the
other lead, so a table added later is moved too); the other lead is deleted and its reference lives on as
an alias that still finds the kept lead. The merge itself is audited on the kept lead.
"""

import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from crm.auth.models import User
from crm.core.database import utcnow
from crm.core.values import same_value
from crm.extensions import db
from crm.leads import services
from crm.leads.aliases import LeadAlias
from crm.leads.models import Lead

IDENTITY = ("company_name", "credit_code", "mobile")


class MergeError(Exception):
    """The merge cannot be done as asked; `message` says why. Nothing was changed."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def can_merge(user: User | None, lead: Lead, other: Lead) -> bool:
    """Managers and admins merge any two leads; an officer merges leads that are theirs or nobody's, when
    at least one is theirs."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_manager:
        return True
    owners = {lead.owner_id, other.owner_id}
    # can_edit: an unowned confidential lead is a manager's to hand out, not to merge into one's own.
    return user.id in owners and owners <= {user.id, None} and services.can_edit(user, lead) \
        and services.can_edit(user, other)


def choosable_fields(user: User) -> tuple[str, ...]:
    """The fields whose value the merging user picks; only managers pick the owner and the manager fields."""
    fields = tuple(f for f in services.EDITABLE_FIELDS if user.is_manager or f not in services.MANAGER_FIELDS)
    return fields + (("owner_id",) if user.is_manager else ())


def differences(lead: Lead, other: Lead, user: User) -> list[str]:
    """The fields where the two leads hold different values, in form order."""
    return [f for f in choosable_fields(user) if not same_value(getattr(lead, f), getattr(other, f))]


def default_choice(lead: Lead, other: Lead, field: str) -> str:
    """'keep' the kept lead's value, unless it is empty and the other lead has one."""
    if getattr(lead, field) in (None, "") and getattr(other, field) not in (None, ""):
        return "other"
    return "keep"


def merge_leads(lead: Lead, other: Lead, *, by: User, take_from_other=(), lead_version: int | None = None,
                other_version: int | None = None) -> LeadAlias:
    """Merge `other` into `lead`. `take_from_other` names the fields whose value comes from `other`.

    The versions, when given, are those the person saw: if either lead changed since, nothing is done
    (services.VersionConflict). Flushes; the caller commits.
    """
    if lead.id == other.id:
        raise MergeError(_l("A lead cannot be merged with itself."))
    if not can_merge(by, lead, other):
        raise services.LeadPermissionError(_l("You can only merge leads you own or unassigned ones."))
    for seen, current in ((lead_version, lead), (other_version, other)):
        if seen is not None and int(seen) != current.version:
            raise services.VersionConflict(current, seen)
    _refuse_unique_clashes(lead, other)
    allowed = set(choosable_fields(by))
    taken = [f for f in take_from_other if f in allowed]
    alias = LeadAlias(reference=other.reference, old_lead_id=other.id, lead_id=lead.id, merged_by_id=by.id,
                      merged_at=utcnow(), snapshot=json.dumps(_snapshot(other), ensure_ascii=False))
    _take_values(lead, other, taken, by=by)
    if not by.is_manager and lead.owner_id is None:
        lead.owner_id = other.owner_id  # an officer's merge keeps the lead theirs
    lead.last_activity_at = max(filter(None, (lead.last_activity_at, other.last_activity_at)), default=None)
    if getattr(other, "is_confidential", False):
        lead.is_confidential = True  # what was hidden stays hidden
        lead.codename = lead.codename or other.codename
    if lead.collides_with_id == other.id:
        lead.collides_with_id = lead.collision_reason = None  # this merge settles that collision
    lead.updated_at = utcnow()
    db.session.flush()
    other_id = other.id
    _move_references(other_id, lead.id)
    services._audit(lead, "merged", by=by, old=alias.reference, new=lead.reference, note=json.dumps(taken))
    db.session.add(alias)
    db.session.expunge(other)
    db.session.execute(delete(Lead).where(Lead.id == other_id))
    db.session.flush()
    db.session.expire(lead, ["activities", "events"])
    return alias


def _take_values(lead: Lead, other: Lead, fields: list[str], *, by: User) -> None:
    """Copy the chosen values, auditing each as an edit (and an owner change as an assignment)."""
    for field in fields:
        old, new = getattr(lead, field), getattr(other, field)
        if same_value(old, new):
            continue
        setattr(lead, field, new)
        if field == "owner_id":
            services._audit(lead, "assigned", by=by, field="owner_id", old=old, new=new, note="merge")
        else:
            services._audit(lead, "field", by=by, field=field, old=old, new=new, note="merge")
    if set(fields) & set(IDENTITY):
        services._identity_keys(lead)


def _lead_references():
    """(table, column) for every column in the schema that points at lead.id, except the lead's own link."""
    lead_id = Lead.__table__.c.id
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column is lead_id and table is not Lead.__table__:
                yield table, fk.parent


def _refuse_unique_clashes(lead: Lead, other: Lead) -> None:
    """A column that allows one row per lead (a project made from a signed lead) cannot take both."""
    for table, column in _lead_references():
        if not column.unique:
            continue
        taken = db.session.scalar(select(func.count()).select_from(table).where(column.in_((lead.id, other.id))))
        if taken == 2:
            raise MergeError(_l("Both leads already have a %(what)s; they cannot be merged.",
                                what=table.name.replace("_", " ")))


def _move_references(old_id: int, new_id: int) -> None:
    """Point every row that refers to the old lead at the kept one."""
    for table, column in _lead_references():
        db.session.execute(update(table).where(column == old_id).values({column.name: new_id}))
    db.session.execute(update(Lead).where(Lead.collides_with_id == old_id, Lead.id != new_id)
                       .values(collides_with_id=new_id).execution_options(synchronize_session=False))


def _snapshot(lead: Lead) -> dict:
    """Every column of the merged lead as text, kept with its alias."""
    return {column.key: services._as_text(getattr(lead, column.key)) for column in Lead.__table__.columns}
