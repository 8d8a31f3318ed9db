"""Dashboard figures for a period. Every aggregate is one SQL query; Python only shapes the results.

Every function takes the period and `today` as arguments (no clock reads), so tests are deterministic.
Rules worth knowing:
- A lead's cohort is the month (zone calendar) it was created in; it "reached" a pipeline stage if its
  current stage or any stage event in its history is that stage or a later one.
- Time in a stage is measured between consecutive stage events; a stay counts in the period it ended in.
- A lead is stale when it is open and its last activity (or, with none, its creation) is N or more
  calendar days before today.
- Expected signing month: there is no such field on a lead, so we use the month of its next action's due
  date (the next step the officer has planned); an overdue date counts in the current month, and leads
  with no date sit in a "no date" bucket.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from sqlalchemy import and_, case, func, literal, or_, select, union_all

from crm.auth.models import User
from crm.dashboard import sql
from crm.dashboard.sql import LIVE_STAGES
from crm.extensions import db
from crm.leads.models import OPEN_STAGES, Activity, Industry, Lead, LeadEvent
from crm.leads.stages import PIPELINE

# Stages whose time-in-stage the dashboard reports (signed and lost are where leads end).
DURATION_STAGES = OPEN_STAGES + ("on_hold",)
STALE_LIST_LIMIT = 20
LOST_REASON_LIMIT = 10


@dataclass(frozen=True)
class Period:
    """Inclusive dates on the zone's calendar."""

    start: date
    end: date

    @property
    def start_at(self):
        return sql.local_start_utc(self.start)

    @property
    def end_at(self):
        """The first instant after the period (exclusive bound)."""
        return sql.local_start_utc(self.end + timedelta(days=1))

    def contains(self, column):
        return and_(column >= self.start_at, column < self.end_at)

    @classmethod
    def year_to_date(cls, today: date) -> "Period":
        return cls(date(today.year, 1, 1), today)

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31))


# ---------------------------------------------------------------- funnel

@dataclass
class Funnel:
    stages: tuple[str, ...]
    totals: list[int]                         # leads reaching each stage, whole period
    cohorts: list[tuple[str, list[int]]]      # ("2026-03", [reached per stage])

    @staticmethod
    def conversions(counts: list[int]) -> list[float | None]:
        """Conversion from each stage to the next: counts[i+1] / counts[i]."""
        return [sql.ratio(counts[i + 1], counts[i]) for i in range(len(counts) - 1)]

    @property
    def total_conversions(self) -> list[float | None]:
        return self.conversions(self.totals)

    @property
    def overall(self) -> float | None:
        """Signed / enquiries."""
        return sql.ratio(self.totals[-1], self.totals[0])


def funnel(period: Period) -> Funnel:
    """Leads created in the period, by month of creation, and how far each cohort got.

    One pass over the period's leads: each lead's furthest position is the larger of its current stage
    and the furthest stage event in its history (one index lookup per lead), then a GROUP BY month;
    the totals row sums the same materialised months in SQL.
    """
    history = (select(func.max(sql.stage_position(LeadEvent.new_value)))
               .where(LeadEvent.field == "stage", LeadEvent.lead_id == Lead.id).scalar_subquery())
    reach = sql.greatest(sql.stage_position(Lead.stage), func.coalesce(history, 0)).label("top")
    month = sql.month_of_timestamp(Lead.created_at, sql.offset_minutes(period.start)).label("month")
    leads = select(month, reach).where(period.contains(Lead.created_at)).subquery()
    counts = [func.count().label("n0")] + [
        func.sum(case((leads.c.top >= i, 1), else_=0)).label(f"n{i}") for i in range(1, len(PIPELINE))]
    months = (select(leads.c.month, *counts).group_by(leads.c.month)
              .cte("funnel_months").prefix_with("MATERIALIZED"))
    sums = [func.coalesce(func.sum(months.c[f"n{i}"]), 0) for i in range(len(PIPELINE))]
    query = union_all(
        select(literal(0).label("is_total"), months.c.month, *[months.c[f"n{i}"] for i in range(len(PIPELINE))]),
        select(literal(1), literal(None), *sums),
    ).subquery()
    rows = db.session.execute(select(query).order_by(query.c.is_total, query.c.month)).all()
    cohorts = [(row[1], [int(v or 0) for v in row[2:]]) for row in rows if not row[0]]
    totals = next([int(v or 0) for v in row[2:]] for row in rows if row[0])
    return Funnel(stages=PIPELINE, totals=totals, cohorts=cohorts)


# ---------------------------------------------------------------- time in stage

@dataclass
class StageTime:
    stage: str
    median_days: float | None
    stays: int


def stage_durations(period: Period) -> list[StageTime]:
    """Median days leads spent in each stage, over stays that ended within the period.

    A stay runs from the stage event that entered the stage to the lead's next stage event. The median
    is taken in SQL: rows ranked within each stage, the middle one (or the mean of the middle two) kept.
    """
    next_at = func.lead(LeadEvent.at).over(partition_by=LeadEvent.lead_id, order_by=(LeadEvent.at, LeadEvent.id))
    stays = (select(LeadEvent.new_value.label("stage"), LeadEvent.at.label("entered_at"),
                    next_at.label("left_at"))
             .where(LeadEvent.field == "stage", LeadEvent.at < period.end_at).subquery())
    durations = (select(stays.c.stage, sql.days_between(stays.c.left_at, stays.c.entered_at).label("days"))
                 .where(stays.c.left_at >= period.start_at, stays.c.left_at < period.end_at,
                        stays.c.stage.in_(DURATION_STAGES)).subquery())
    ranked = select(
        durations.c.stage, durations.c.days,
        func.row_number().over(partition_by=durations.c.stage, order_by=durations.c.days).label("rn"),
        func.count().over(partition_by=durations.c.stage).label("n"),
    ).subquery()
    middle = and_(2 * ranked.c.rn >= ranked.c.n, 2 * ranked.c.rn <= ranked.c.n + 2)
    query = (select(ranked.c.stage, func.avg(ranked.c.days), func.max(ranked.c.n))
             .where(middle).group_by(ranked.c.stage))
    found = {stage: (round(float(median), 1), int(n)) for stage, median, n in db.session.execute(query)}
    return [StageTime(stage, *found.get(stage, (None, 0))) for stage in DURATION_STAGES]


# ---------------------------------------------------------------- stale leads

def stale_condition(today: date, stale_days: int):
    """Open, and untouched (no activity; else since creation) for `stale_days` calendar days or more."""
    cutoff = sql.local_start_utc(today - timedelta(days=stale_days - 1))
    last_touch = func.coalesce(Lead.last_activity_at, Lead.created_at)
    return and_(Lead.stage.in_(OPEN_STAGES), last_touch < cutoff)


@dataclass
class Stale:
    days: int
    count: int
    leads: list = field(default_factory=list)  # the longest-idle few, for the list on the page


def stale_leads(today: date, stale_days: int, limit: int = STALE_LIST_LIMIT) -> Stale:
    condition = stale_condition(today, stale_days)
    count = db.session.scalar(select(func.count()).select_from(Lead).where(condition)) or 0
    last_touch = func.coalesce(Lead.last_activity_at, Lead.created_at)
    leads = list(db.session.scalars(select(Lead).where(condition).order_by(last_touch, Lead.id).limit(limit)))
    return Stale(days=stale_days, count=int(count), leads=leads)


# ---------------------------------------------------------------- officers

@dataclass
class OfficerRow:
    user: User | None  # None: leads nobody owns
    open_leads: int = 0
    activities_7d: int = 0
    overdue: int = 0
    stale: int = 0
    signed: int = 0


def officers(period: Period, today: date, stale_days: int) -> list[OfficerRow]:
    """Per officer: open leads, activities in the last 7 days, overdue next actions, stale leads, signed.

    One GROUP BY owner over live leads and those signed in the period, and one over the week's activities.
    """
    def count_if(condition):
        return func.sum(case((condition, 1), else_=0))

    signed_in_period = and_(Lead.stage == "signed", period.contains(Lead.stage_entered_at))
    query = (select(Lead.owner_id, count_if(Lead.stage.in_(OPEN_STAGES)),
                    count_if(and_(Lead.stage.in_(LIVE_STAGES), Lead.next_action_due < today)),
                    count_if(stale_condition(today, stale_days)), count_if(signed_in_period))
             .where(or_(Lead.stage.in_(LIVE_STAGES), signed_in_period)).group_by(Lead.owner_id))
    backlog = {owner: tuple(int(v or 0) for v in values) for owner, *values in db.session.execute(query)}
    week = and_(Activity.occurred_at >= sql.local_start_utc(today - timedelta(days=6)),
                Activity.occurred_at < sql.local_start_utc(today + timedelta(days=1)))
    activities = {user_id: int(n) for user_id, n in db.session.execute(
        select(Activity.user_id, func.count()).where(week).group_by(Activity.user_id))}
    ids = [i for i in set(backlog) | set(activities) if i is not None]
    users = list(db.session.scalars(
        select(User).where(or_(and_(User.role == "officer", User.active.is_(True)), User.id.in_(ids)))
        .order_by(User.name, User.id)))
    rows = []
    for user in users:
        open_leads, overdue, stale, signed = backlog.get(user.id, (0, 0, 0, 0))
        rows.append(OfficerRow(user, open_leads, activities.get(user.id, 0), overdue, stale, signed))
    if any(backlog.get(None, ())):
        open_leads, overdue, stale, signed = backlog[None]
        rows.append(OfficerRow(None, open_leads, 0, overdue, stale, signed))
    return rows


# ---------------------------------------------------------------- breakdowns

@dataclass
class Breakdown:
    code: str | None
    label_zh: str | None
    label_en: str | None
    leads: int
    signed: int
    investment_wan: Decimal


def _breakdown(column, period: Period, *labels):
    signed = func.sum(case((Lead.stage == "signed", 1), else_=0))
    query = (select(column, *labels, func.count(), signed, func.sum(Lead.planned_investment_wan))
             .where(period.contains(Lead.created_at)).group_by(column, *labels)
             .order_by(func.count().desc(), column))
    return query


def by_source(period: Period) -> list[Breakdown]:
    """Leads created in the period per source: how many, how many signed, their planned investment."""
    rows = db.session.execute(_breakdown(Lead.source, period))
    return [Breakdown(code, None, None, int(n), int(s or 0), sql.money(inv)) for code, n, s, inv in rows]


def by_industry(period: Period) -> list[Breakdown]:
    """Leads created in the period per industry chain (code None: not given)."""
    signed = func.sum(case((Lead.stage == "signed", 1), else_=0))
    query = (select(Lead.industry_code, Industry.name_zh, Industry.name_en, func.count(), signed,
                    func.sum(Lead.planned_investment_wan))
             .select_from(Lead).outerjoin(Industry, Industry.code == Lead.industry_code)
             .where(period.contains(Lead.created_at))
             .group_by(Lead.industry_code, Industry.name_zh, Industry.name_en)
             .order_by(func.count().desc(), Lead.industry_code.asc().nulls_last()))
    return [Breakdown(code, zh, en, int(n), int(s or 0), sql.money(inv))
            for code, zh, en, n, s, inv in db.session.execute(query)]


@dataclass
class LostReason:
    reason: str
    leads: int


def lost_reasons(period: Period, limit: int = LOST_REASON_LIMIT) -> list[LostReason]:
    """Why leads were lost in the period, most frequent first (reasons are free text, grouped as typed)."""
    reason = func.trim(func.coalesce(Lead.lost_reason, "")).label("reason")
    query = (select(reason, func.count()).where(Lead.stage == "lost", period.contains(Lead.stage_entered_at))
             .group_by(reason).order_by(func.count().desc(), reason).limit(limit))
    return [LostReason(text, int(n)) for text, n in db.session.execute(query)]


# ---------------------------------------------------------------- weighted pipeline

@dataclass
class MonthValue:
    month: str | None  # "2026-05", or None for leads with no date
    leads: int
    investment_wan: Decimal
    weighted_wan: Decimal


def expected_signing_date(today: date):
    """SQL for a lead's expected signing date: its next action's due date, overdue ones moved to this month."""
    month_start = date(today.year, today.month, 1)
    return case((Lead.next_action_due < month_start, literal(month_start)), else_=Lead.next_action_due)


def weighted_value():
    """planned investment × the lead's stage probability (no investment counts as 0)."""
    return func.coalesce(Lead.planned_investment_wan, 0) * sql.stage_probability(Lead.stage)


def weighted_by_month(today: date) -> list[MonthValue]:
    """The live pipeline (open and on-hold leads) by expected signing month, undated leads last."""
    month = sql.month_of_date(expected_signing_date(today)).label("month")
    query = (select(month, func.count(), func.sum(Lead.planned_investment_wan), func.sum(weighted_value()))
             .where(Lead.stage.in_(LIVE_STAGES)).group_by(month))
    rows = [MonthValue(m, int(n), sql.money(inv), sql.money(w)) for m, n, inv, w in db.session.execute(query)]
    return sorted(rows, key=lambda r: (r.month is None, r.month or ""))


def weighted_total() -> tuple[int, Decimal]:
    """Live leads and their weighted value, all dates together."""
    n, weighted = db.session.execute(
        select(func.count(), func.sum(weighted_value())).where(Lead.stage.in_(LIVE_STAGES))).one()
    return int(n or 0), sql.money(weighted)


# ---------------------------------------------------------------- the page

class Dashboard:
    """Everything the dashboard page shows; each figure is queried when first used (a CSV needs one)."""

    def __init__(self, period: Period, today: date, stale_days: int, stale_limit: int = STALE_LIST_LIMIT):
        self.period, self.today, self.stale_days, self.stale_limit = period, today, stale_days, stale_limit

    @cached_property
    def funnel(self) -> Funnel:
        return funnel(self.period)

    @cached_property
    def durations(self) -> list[StageTime]:
        return stage_durations(self.period)

    @cached_property
    def stale(self) -> Stale:
        return stale_leads(self.today, self.stale_days, self.stale_limit)

    @cached_property
    def officers(self) -> list[OfficerRow]:
        return officers(self.period, self.today, self.stale_days)

    @cached_property
    def sources(self) -> list[Breakdown]:
        return by_source(self.period)

    @cached_property
    def industries(self) -> list[Breakdown]:
        return by_industry(self.period)

    @cached_property
    def lost(self) -> list[LostReason]:
        return lost_reasons(self.period)

    @cached_property
    def pipeline(self) -> list[MonthValue]:
        return weighted_by_month(self.today)

    @cached_property
    def pipeline_total(self) -> tuple[int, Decimal]:
        return weighted_total()
