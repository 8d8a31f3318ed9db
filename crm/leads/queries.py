"""Reads of leads: the filtered list, a lead's timeline, an officer's day."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import lazyload, load_only

from crm.auth.models import User
from crm.core import search
from crm.core.pagination import Page, paginate
from crm.extensions import db
from crm.leads.aliases import alias_condition
from crm.leads.identity import fold, mobile_or_none, normalise_company
from crm.leads.models import OPEN_STAGES, Activity, Industry, Lead, LeadEvent
from crm.privacy import visibility

SORTS = {
    "newest": (Lead.created_at.desc(), Lead.id.desc()),
    "oldest": (Lead.created_at.asc(), Lead.id.asc()),
    "due": (Lead.next_action_due.asc(), Lead.id.desc()),
    "company": (Lead.company_key.asc(), Lead.id.desc()),
    "investment": (Lead.planned_investment_wan.desc(), Lead.id.desc()),
    "activity": (Lead.last_activity_at.desc(), Lead.id.desc()),
}
# On PostgreSQL the lead list counts at most this many matches ("more than 2,000 found", as CRMs say
# "2,000+"): counting reads each row, ~4 ms for 10,000 at 100,000 leads against ~1 ms for 2,000, and an
# officer narrows a list that long rather than pages through it. SQLite counts index entries cheaply and
# always gives the exact figure; the API counts them all.
LIST_COUNT_CAP = 2_000


def list_count_cap() -> int | None:
    """The count cap of the lead list page on this database (see crm.core.pagination.paginate)."""
    return LIST_COUNT_CAP if search.dialect_name() == "postgresql" else None
_REFERENCE = re.compile(r"^(?:zs-?)?(?:\d{4}-?)?0*(\d{1,9})$", re.IGNORECASE)


@dataclass
class LeadFilters:
    q: str = ""
    stage: str = ""
    kind: str = ""
    owner: str = ""  # a user id, "me", or "none" for unassigned
    industry: str = ""
    source: str = ""
    created_from: date | None = None
    created_to: date | None = None
    sort: str = "newest"
    extra: dict = field(default_factory=dict)


def lead_id_from_reference(text: str) -> int | None:
    """'ZS-2026-000123', '2026-000123' or '123' → 123."""
    match = _REFERENCE.match(fold(text).replace(" ", ""))
    return int(match.group(1)) if match and text.strip().lower().startswith(("zs", "20")) else None


def _like_escape(text: str) -> str:
    """Typed % and _ are searched for, not used as wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_condition(q: str):
    """One place that turns a search box into SQL: reference, company, contact or mobile."""
    q = (q or "").strip()[:100]
    if not q:
        return None
    # Substrings go through crm.core.search (FTS5 trigram on SQLite, pg_trgm on PostgreSQL).
    conditions = [search.text_condition(q, normalise_company(q) or fold(q), digits=re.sub(r"\D", "", q))]
    normalised = mobile_or_none(q)
    if normalised:
        conditions.append(Lead.mobile == normalised)
    lead_id = lead_id_from_reference(q)
    if lead_id:
        conditions.append(Lead.id == lead_id)
        conditions.append(alias_condition(Lead.id, lead_id))  # a merged lead's reference finds the kept lead
    conditions.append(Lead.credit_code == q.upper())
    return or_(*conditions)


def filtered_leads(filters: LeadFilters, *, user: User) -> Select:
    query = select(Lead)
    condition = visibility.restrict_search(search_condition(filters.q), filters.q, user)
    if condition is not None:
        query = query.where(condition)
    if filters.stage == "open":
        query = query.where(Lead.stage.in_(OPEN_STAGES))
    elif filters.stage:
        query = query.where(Lead.stage == filters.stage)
    if filters.kind:
        query = query.where(Lead.kind == filters.kind)
    if filters.owner == "me":
        query = query.where(Lead.owner_id == user.id)
    elif filters.owner == "none":
        query = query.where(Lead.owner_id.is_(None))
    elif filters.owner.isascii() and filters.owner.isdigit() and len(filters.owner) <= 9:  # '²' is a digit too
        query = query.where(Lead.owner_id == int(filters.owner))
    if filters.industry:
        query = query.where(Lead.industry_code == filters.industry)
    if filters.source:
        query = query.where(Lead.source == filters.source)
    if filters.created_from:
        query = query.where(Lead.created_at >= datetime.combine(filters.created_from, time.min))
    if filters.created_to:
        query = query.where(Lead.created_at <= datetime.combine(filters.created_to, time.max))
    return query.order_by(*SORTS.get(filters.sort, SORTS["newest"]))


# What a row of the lead list page shows (and what deciding its privacy needs): the list loads these
# columns and the owner, not whole leads with their industry, a fifth of the page's time otherwise.
LIST_COLUMNS = (
    Lead.id, Lead.created_at, Lead.is_key, Lead.collides_with_id, Lead.company_name, Lead.contact_name,
    Lead.is_confidential, Lead.codename, Lead.owner_id, Lead.sponsoring_leader_id, Lead.kind, Lead.stage,
    Lead.planned_investment_wan, Lead.next_action_due, Lead.next_action, Lead.version,
)


def lead_page(filters: LeadFilters, *, user: User, page: int, per_page: int, count_cap: int | None = None,
              list_columns: bool = False) -> Page:
    """A page of the filtered leads; `list_columns` loads only what the list page shows (LIST_COLUMNS)."""
    query = filtered_leads(filters, user=user)
    if list_columns:
        query = query.options(load_only(*LIST_COLUMNS), lazyload(Lead.industry))
    return paginate(query, page, per_page, count_cap=count_cap)


def timeline(lead: Lead) -> list[tuple[datetime, str, object]]:
    """Activities and audit events of one lead, newest first."""
    activities = db.session.scalars(select(Activity).where(Activity.lead_id == lead.id))
    events = db.session.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead.id))
    items = [(a.occurred_at, "activity", a) for a in activities] + [(e.at, "event", e) for e in events]
    return sorted(items, key=lambda item: (item[0], item[2].id), reverse=True)


def active_users() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)))


def users_by_id(ids) -> dict[int, User]:
    ids = {int(i) for i in ids if i and str(i).isdigit()}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def industry_names(language: str) -> dict[str, str]:
    """Industry code → its name in `language`, for showing audited codes."""
    rows = db.session.execute(select(Industry.code, Industry.name_zh, Industry.name_en))
    return {code: (zh if language == "zh" else en) for code, zh, en in rows}


@dataclass
class Day:
    overdue: list
    due_today: list
    unassigned: list
    collisions: list


def my_day(user: User, today: date, limit: int = 50) -> Day:
    """An officer's day: overdue and due-today actions on their open leads, and new enquiries nobody owns."""
    mine = select(Lead).where(Lead.owner_id == user.id, Lead.stage.in_(OPEN_STAGES + ("on_hold",)))
    overdue = db.session.scalars(mine.where(Lead.next_action_due < today)
                                 .order_by(Lead.next_action_due, Lead.id).limit(limit))
    due_today = db.session.scalars(mine.where(Lead.next_action_due == today).order_by(Lead.id).limit(limit))
    unassigned = db.session.scalars(select(Lead).where(Lead.owner_id.is_(None), Lead.stage == "enquiry")
                                    .order_by(Lead.created_at.desc()).limit(limit))
    collisions = db.session.scalars(
        select(Lead).where(Lead.collides_with_id.is_not(None), Lead.stage.in_(OPEN_STAGES),
                           or_(Lead.owner_id == user.id, Lead.collides_with.has(Lead.owner_id == user.id)))
        .order_by(Lead.created_at.desc()).limit(limit))
    return Day(list(overdue), list(due_today), list(unassigned), list(collisions))
