"""Reads for the pipeline board: per-column totals by SQL aggregation, and one page of cards per column.

The board never loads every lead: the column headers come from one GROUP BY, and each column shows its
first CARDS_PER_COLUMN cards (by priority, then most recent activity), the rest on "load more".
Signed and lost leads are shown for the last CLOSED_WINDOW_DAYS only: the board is for work in progress.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select

from crm.auth.models import User
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


def conditions(filters: BoardFilters, user: User, today: date) -> list:
    """SQL conditions for the filters, plus the window that keeps old signed and lost leads off the board."""
    found = []
    if filters.owner == "me":
        found.append(Lead.owner_id == user.id)
    elif filters.owner == "none":
        found.append(Lead.owner_id.is_(None))
    elif filters.owner.isdigit():
        found.append(Lead.owner_id == int(filters.owner))
    if filters.industry:
        found.append(Lead.industry_code == filters.industry)
    if filters.kind:
        found.append(Lead.kind == filters.kind)
    if filters.source:
        found.append(Lead.source == filters.source)
    if filters.key:
        found.append(Lead.is_key.is_(True))
    since = sql.local_start_utc(today - timedelta(days=CLOSED_WINDOW_DAYS))
    found.append(or_(Lead.stage.not_in(CLOSED_STAGES), Lead.stage_entered_at >= since))
    return found


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
             .where(*conditions(filters, user, today)).group_by(Lead.stage))
    totals = {stage: ColumnTotal(stage) for stage in COLUMNS}
    for stage, n, investment, value in db.session.execute(query):
        if stage in totals:
            totals[stage] = ColumnTotal(stage, int(n), sql.money(investment), sql.money(value))
    return totals


def _card_select():
    """What a card shows, as plain rows (no ORM objects: a board holds hundreds of cards)."""
    return (select(*CARD_COLUMNS, User.name.label("owner_name"))
            .select_from(Lead).outerjoin(User, User.id == Lead.owner_id))


def column_cards(stage: str, filters: BoardFilters, user: User, today: date, offset: int = 0,
                 limit: int | None = None) -> tuple[list, bool]:
    """One page of a column's cards (CARDS_PER_COLUMN by default), and whether more follow."""
    limit = limit or CARDS_PER_COLUMN
    query = (_card_select().where(Lead.stage == stage, *conditions(filters, user, today))
             .order_by(*CARD_ORDER).offset(max(offset, 0)).limit(limit + 1))
    rows = db.session.execute(query).all()
    return rows[:limit], len(rows) > limit


def card(lead_id: int):
    """One card's row, as the board shows it (after a move, or to put a card back)."""
    return db.session.execute(_card_select().where(Lead.id == lead_id)).one_or_none()


def owners() -> list[User]:
    """Active users a lead can be given to, by name."""
    return list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name, User.id)))
