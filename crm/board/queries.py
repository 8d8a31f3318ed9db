"""Reads for the pipeline board: per-column totals by SQL aggregation, and one page of cards per column.

The board never loads every lead: the column headers come from one GROUP BY, and each column shows its
first CARDS_PER_COLUMN cards (by priority, then most recent activity), the rest on "load more".
Signed and lost leads are shown for the last CLOSED_WINDOW_DAYS only: the board is for work in progress.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import bindparam, func, or_, select, union_all

from crm.auth.models import User
from crm.core.vocabulary import PRIORITIES
from crm.dashboard import sql
from crm.extensions import db
from crm.leads.models import Lead
from crm.leads.stages import PIPELINE, SIDE_STAGES, probability

COLUMNS = PIPELINE + SIDE_STAGES            # enquiry … signed, then on hold and lost at the end
SIDE_COLUMNS = SIDE_STAGES                  # shown collapsed
CLOSED_STAGES = ("signed", "lost")
CARDS_PER_COLUMN = 50
CLOSED_WINDOW_DAYS = 365
# A card shows a handful of a lead's ~45 columns, and its owner's name.
CARD_COLUMNS = (Lead.id, Lead.company_name, Lead.kind, Lead.stage, Lead.stage_entered_at, Lead.created_at,
                Lead.owner_id, Lead.planned_investment_wan, Lead.is_key, Lead.priority, Lead.next_action,
                Lead.next_action_due, Lead.last_activity_at,
                Lead.sponsoring_leader_id, Lead.is_confidential, Lead.codename)  # who may see the company
CARD_ORDER = (Lead.priority.asc(), Lead.last_activity_at.desc().nulls_last(), Lead.created_at.desc(),
              Lead.id.desc())


@dataclass
class BoardFilters:
    owner: str = ""      # "", "me", "none" (unassigned) or a user id
    industry: str = ""
    kind: str = ""
    source: str = ""
    key: bool = False

    @classmethod
    def from_args(cls, args, user: User) -> "BoardFilters":
        """Read the query string; an officer who has not chosen sees their own leads first."""
        owner = args.get("owner")
        if owner is None:
            owner = "" if user.is_manager else "me"
        elif owner == "all":
            owner = ""
        return cls(owner=owner[:12], industry=args.get("industry", "")[:40], kind=args.get("kind", "")[:20],
                   source=args.get("source", "")[:20], key=args.get("key") in ("1", "y", "on", "true"))

    def as_args(self) -> dict:
        """The query string that reproduces these filters (owner "all" keeps an officer's choice of everyone)."""
        args = {"owner": self.owner or "all"}
        for name in ("industry", "kind", "source"):
            if getattr(self, name):
                args[name] = getattr(self, name)
        if self.key:
            args["key"] = "1"
        return args


def _owner_mode(filters: BoardFilters) -> str:
    if filters.owner in ("me", "none"):
        return filters.owner
    return "id" if filters.owner.isdigit() else ""


def _shape(filters: BoardFilters) -> tuple:
    """Which filters are on (not their values): one prepared statement per shape."""
    return (_owner_mode(filters), bool(filters.industry), bool(filters.kind), bool(filters.source), filters.key)


def _clauses(shape: tuple) -> list:
    """The filter conditions of a shape, with bound parameters, plus the window that keeps old signed and
    lost leads off the board."""
    owner, industry, kind, source, key = shape
    found = []
    if owner in ("me", "id"):
        found.append(Lead.owner_id == bindparam("owner_id"))
    elif owner == "none":
        found.append(Lead.owner_id.is_(None))
    if industry:
        found.append(Lead.industry_code == bindparam("industry"))
    if kind:
        found.append(Lead.kind == bindparam("kind"))
    if source:
        found.append(Lead.source == bindparam("source"))
    if key:
        found.append(Lead.is_key.is_(True))
    found.append(or_(Lead.stage.not_in(CLOSED_STAGES), Lead.stage_entered_at >= bindparam("since")))
    return found


def _params(filters: BoardFilters, user: User, today: date) -> dict:
    owner = _owner_mode(filters)
    return {"owner_id": user.id if owner == "me" else int(filters.owner) if owner == "id" else None,
            "industry": filters.industry, "kind": filters.kind, "source": filters.source,
            "since": sql.local_start_utc(today - timedelta(days=CLOSED_WINDOW_DAYS))}


def conditions(filters: BoardFilters, user: User, today: date) -> list:
    """SQL conditions for the filters (values bound), plus the window for old signed and lost leads."""
    params = _params(filters, user, today)
    return [clause.params(params) for clause in _clauses(_shape(filters))]


@dataclass
class ColumnTotal:
    stage: str
    count: int = 0
    investment_wan: Decimal = Decimal("0.00")
    weighted_wan: Decimal = Decimal("0.00")

    @property
    def probability(self) -> float:
        return probability(self.stage)


def column_totals(filters: BoardFilters, user: User, today: date) -> dict[str, ColumnTotal]:
    """Count, planned investment and weighted value (investment × stage probability) per column."""
    investment = func.sum(Lead.planned_investment_wan)
    weighted = func.coalesce(investment, 0) * sql.stage_probability(Lead.stage)  # one probability per group
    query = (select(Lead.stage, func.count(), investment, weighted)
             .where(*_clauses(_shape(filters))).group_by(Lead.stage))
    totals = {stage: ColumnTotal(stage) for stage in COLUMNS}
    for stage, n, investment, value in db.session.execute(query, _params(filters, user, today)):
        if stage in totals:
            totals[stage] = ColumnTotal(stage, int(n), sql.money(investment), sql.money(value))
    return totals


def _card_select():
    """What a card shows, as plain rows (no ORM objects: a board holds hundreds of cards)."""
    return (select(*CARD_COLUMNS, User.name.label("owner_name"))
            .select_from(Lead).outerjoin(User, User.id == Lead.owner_id))


def column_cards(stage: str, filters: BoardFilters, user: User, today: date, offset: int = 0,
                 limit: int | None = None) -> tuple[list, bool]:
    """One page of a column's cards (CARDS_PER_COLUMN by default), and whether more follow.

    Cards go by priority, then latest activity, then newest. One branch per priority level reads the
    ix_lead_board_cards index (stage, priority, last_activity_at, created_at, id) backwards, so each
    column costs a few dozen index steps at any size; the branches are merged in the same order.
    The statement is built once per filter shape and reused with new parameters.
    """
    limit = limit or CARDS_PER_COLUMN
    offset = max(offset, 0)
    params = {**_params(filters, user, today), "stage": stage, "wanted": offset + limit + 1,
              "offset": offset, "limit": limit + 1}
    rows = db.session.execute(_cards_statement(_shape(filters)), params).all()
    return rows[:limit], len(rows) > limit


_statements: dict[tuple, object] = {}


def _cards_statement(shape: tuple):
    statement = _statements.get(shape)
    if statement is None:
        base = _card_select().where(Lead.stage == bindparam("stage"), *_clauses(shape))
        levels = [int(code) for code in PRIORITIES]
        branches = [base.where(Lead.priority == level) for level in levels]
        # Any other value (the forms allow none) still shows, after the known levels; two index ranges.
        branches.append(base.where(or_(Lead.priority < min(levels), Lead.priority > max(levels))))
        merged = union_all(*[select(branch.order_by(*CARD_ORDER[1:]).limit(bindparam("wanted")).subquery())
                             for branch in branches]).subquery()
        statement = _statements[shape] = (
            select(merged).order_by(merged.c.priority, merged.c.last_activity_at.desc().nulls_last(),
                                    merged.c.created_at.desc(), merged.c.id.desc())
            .offset(bindparam("offset")).limit(bindparam("limit")))
    return statement


def card(lead_id: int):
    """One card's row, as the board shows it (after a move, or to put a card back)."""
    return db.session.execute(_card_select().where(Lead.id == lead_id)).one_or_none()


def owners() -> list[User]:
    """Active users a lead can be given to, by name."""
    return list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name, User.id)))
