"""Reads of the project register: the five batches, tax per mu, rates for the year, stalled projects.

Every figure that adds up projects, milestones, capital or tax is computed in SQL and runs the same on
SQLite and PostgreSQL (dates are compared as dates, never through dialect date functions).

Definitions used throughout:
- realised tax of a year: the sum of a project's tax records for that calendar year; "last full year" is
  the calendar year before today's;
- tax per mu: realised tax of the last full year ÷ the project's land in mu (none without land);
- under-delivery: a project in production since the start of the last full year at the latest (so a full
  year of production) whose realised tax that year is below UNDER_DELIVERY_SHARE (80%) of its promise;
- rates for a year (开工率, 竣工率, 投产率): of the signed projects whose milestone fell due within the year
  (planned between 1 January and the year's end, or today for the current year), the share that reached it;
- 资金到位率: capital in place up to the year's end ÷ committed investment, over projects signed by then;
- stalled: signed but not started, started but not completed, completed (or moved in) but not producing,
  each past the planned date of the milestone it waits for.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased, lazyload, load_only, selectinload

from crm.core.pagination import Page
from crm.extensions import db
from crm.leads.models import Lead
from crm.privacy import visibility
from crm.projects.models import CapitalRecord, Milestone, Problem, Project
from crm.tax.models import TaxRecord

UNDER_DELIVERY_SHARE = Decimal("0.8")
SORTS = ("tax_per_mu", "investment", "newest", "code")
FLAG_COLUMNS = {"key": Project.is_key, "four_new": Project.is_four_new, "500_strong": Project.is_500_strong}


def last_full_year(today: date) -> int:
    return today.year - 1


@dataclass
class ProjectFilters:
    phase: str = ""
    industry: str = ""
    flag: str = ""
    leader: str = ""
    q: str = ""
    only: str = ""  # "escalated", "under", "late"
    sort: str = "tax_per_mu"
    extra: dict = field(default_factory=dict)
    # Who searches: `q` finds a confidential lead's project by its name only for those who may see it.
    # None (nobody in particular) finds it by its code or codename only.
    reader: object = None


def filters_from_args(args, reader=None) -> ProjectFilters:
    """Register filters from a query string; unknown values are ignored rather than refused."""
    from crm.projects.vocabulary import FLAGS, PHASES

    phase, flag, only, sort = args.get("phase", ""), args.get("flag", ""), args.get("only", ""), args.get("sort", "")
    return ProjectFilters(
        phase=phase if phase in PHASES else "", industry=args.get("industry", "")[:40],
        flag=flag if flag in FLAGS else "", leader=args.get("leader", "")[:100], q=args.get("q", "")[:100],
        only=only if only in ("escalated", "under", "late") else "", sort=sort if sort in SORTS else "tax_per_mu",
        reader=reader)


@dataclass
class Figures:
    """A project's tax figures for one year (all from SQL)."""

    year: int
    realised: Decimal | None
    tax_per_mu: Decimal | None
    under_delivering: bool
    in_production_full_year: bool


# ---------------------------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------------------------

def realised_subquery(year: int):
    """project_id → realised tax in `year`."""
    return (select(TaxRecord.project_id.label("project_id"), func.sum(TaxRecord.amount_wan).label("realised"))
            .where(TaxRecord.year == year, TaxRecord.project_id.is_not(None))
            .group_by(TaxRecord.project_id).subquery("realised"))


def _production_subquery():
    return (select(Milestone.project_id.label("project_id"), Milestone.actual_on.label("production_on"))
            .where(Milestone.kind == "production").subquery("production"))


def _overdue_subquery(today: date):
    return (select(Problem.project_id.label("project_id"), func.count(Problem.id).label("overdue"))
            .where(Problem.status != "resolved", Problem.due_on < today)
            .group_by(Problem.project_id).subquery("overdue"))


def _late_condition(today: date):
    """A milestone overdue now: not reached and past its planned date (the project page also marks
    milestones that were reached late; the register only shows what is late today)."""
    return and_(Milestone.planned_on.is_not(None), Milestone.actual_on.is_(None), Milestone.planned_on < today)


def _late_subquery(today: date):
    return (select(Milestone.project_id.label("project_id"), func.count(Milestone.id).label("late"))
            .where(_late_condition(today)).group_by(Milestone.project_id).subquery("late"))


def figure_columns(year: int, today: date):
    """The computed columns the register shows beside each project, and the joins they need."""
    realised = realised_subquery(year)
    production = _production_subquery()
    overdue = _overdue_subquery(today)
    late = _late_subquery(today)
    tax_per_mu = case((Project.land_mu > 0, realised.c.realised / Project.land_mu), else_=None)
    full_year = and_(production.c.production_on.is_not(None), production.c.production_on <= date(year, 1, 1))
    under = and_(full_year, Project.promised_tax_wan > 0,
                 func.coalesce(realised.c.realised, 0) < Project.promised_tax_wan * UNDER_DELIVERY_SHARE)
    columns = {
        "realised": realised.c.realised,
        "tax_per_mu": tax_per_mu,
        "under": case((under, 1), else_=0),
        "overdue": func.coalesce(overdue.c.overdue, 0),
        "late": func.coalesce(late.c.late, 0),
        "production_on": production.c.production_on,
    }

    def join(query: Select) -> Select:
        return (query.outerjoin(realised, realised.c.project_id == Project.id)
                .outerjoin(production, production.c.project_id == Project.id)
                .outerjoin(overdue, overdue.c.project_id == Project.id)
                .outerjoin(late, late.c.project_id == Project.id))

    return columns, join, under


def _filtered(query: Select, filters: ProjectFilters, *, under, columns, with_phase: bool = True) -> Select:
    if with_phase and filters.phase:
        query = query.where(Project.phase == filters.phase)
    if filters.industry:
        query = query.where(Project.industry_code == filters.industry)
    if filters.flag in FLAG_COLUMNS:
        query = query.where(FLAG_COLUMNS[filters.flag].is_(True))
    if filters.leader:
        query = query.where(Project.sponsoring_leader == filters.leader)
    q = (filters.q or "").strip()[:100]
    if q:
        from crm.leads.identity import normalise_company

        key = normalise_company(q) or q
        condition = or_(Project.name.ilike(f"%{q}%"), Project.company_name.ilike(f"%{q}%"),
                        Project.company_key.like(f"%{key}%"), Project.code.ilike(f"%{q}%"),
                        Project.credit_code == q.upper())
        query = query.where(visibility.restrict_project_search(condition, q, filters.reader))
    if filters.only == "escalated":
        query = query.where(columns["overdue"] > 0)
    elif filters.only == "under":
        query = query.where(under)
    elif filters.only == "late":
        query = query.where(columns["late"] > 0)
    return query


# ---------------------------------------------------------------------------------------------------------
# The register
# ---------------------------------------------------------------------------------------------------------

@dataclass
class RegisterRow:
    project: Project
    realised: Decimal | None
    tax_per_mu: Decimal | None
    under_delivering: bool
    overdue_problems: int
    late_milestones: int
    production_on: date | None = None


def register_query(filters: ProjectFilters, today: date) -> Select:
    year = last_full_year(today)
    columns, join, under = figure_columns(year, today)
    query = join(select(Project, *[c.label(name) for name, c in columns.items()]))
    query = _filtered(query, filters, under=under, columns=columns)
    order = {
        "tax_per_mu": ((columns["tax_per_mu"].is_(None)), columns["tax_per_mu"].desc(), Project.code),
        "investment": ((Project.investment_wan.is_(None)), Project.investment_wan.desc(), Project.code),
        "newest": (Project.created_at.desc(), Project.id.desc()),
        "code": (Project.code,),
    }.get(filters.sort, (Project.code,))
    return with_lead_circle(query.order_by(*order))


def register_page(filters: ProjectFilters, today: date, page: int = 1, per_page: int = 50) -> Page:
    query = register_query(filters, today)
    # The computed columns change the count only when a filter reads them (only=...): else count plain rows.
    counted = query if filters.only else _filtered(select(Project.id), filters, under=None, columns={})
    total = db.session.scalar(select(func.count()).select_from(counted.order_by(None).subquery())) or 0
    page = max(1, page)
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    items = [RegisterRow(project=r[0], realised=_dec(r.realised), tax_per_mu=_dec(r.tax_per_mu),
                         under_delivering=bool(r.under), overdue_problems=int(r.overdue or 0),
                         late_milestones=int(r.late or 0), production_on=r.production_on) for r in rows]
    return Page(items=items, total=total, page=page, per_page=per_page)


def register_rows(filters: ProjectFilters, today: date, limit: int = 100_000):
    """Every row the filters select, for exports (streamed by the caller)."""
    return db.session.execute(register_query(filters, today).limit(limit))


def phase_counts(filters: ProjectFilters, today: date) -> dict[str, int]:
    """How many projects each batch tab holds, with the other filters applied."""
    columns, join, under = figure_columns(last_full_year(today), today)
    query = select(Project.phase, func.count(Project.id))
    query = join(query) if filters.only else query.select_from(Project)  # the figures only matter to only=...
    query = _filtered(query, filters, under=under, columns=columns, with_phase=False).group_by(Project.phase)
    counts = {phase: count for phase, count in db.session.execute(query)}
    counts["all"] = sum(counts.values())
    return counts


def flag_counts(today: date) -> dict[str, int]:
    """Projects escalated (an overdue problem), under-delivering and with late milestones."""
    columns, join, under = figure_columns(last_full_year(today), today)
    query = join(select(
        func.coalesce(func.sum(case((columns["overdue"] > 0, 1), else_=0)), 0),
        func.coalesce(func.sum(case((under, 1), else_=0)), 0),
        func.coalesce(func.sum(case((columns["late"] > 0, 1), else_=0)), 0)).select_from(Project))
    escalated, under_count, late = db.session.execute(query).one()
    return {"escalated": int(escalated), "under": int(under_count), "late": int(late)}


def leaders() -> list[str]:
    return list(db.session.scalars(select(Project.sponsoring_leader).where(
        Project.sponsoring_leader.is_not(None)).distinct().order_by(Project.sponsoring_leader)))


def with_lead_circle(query: Select) -> Select:
    """Load, in one more query per page, what crm.privacy.visibility needs of each project's lead to name
    the project to the reader (without it every row of a list would load its lead on its own)."""
    return query.options(selectinload(Project.lead).options(
        load_only(Lead.id, Lead.created_at, Lead.owner_id, Lead.sponsoring_leader_id, Lead.is_confidential,
                  Lead.codename), lazyload("*")))


def _dec(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


# ---------------------------------------------------------------------------------------------------------
# Rates for the year and stalled lists
# ---------------------------------------------------------------------------------------------------------

@dataclass
class Rate:
    code: str
    done: int
    due: int

    @property
    def share(self) -> float | None:
        return self.done / self.due if self.due else None


def year_rates(year: int, today: date) -> dict[str, Rate]:
    """开工率, 竣工率, 投产率: of signed projects whose milestone fell due in `year` (so far), those that reached it."""
    start, end = date(year, 1, 1), min(date(year, 12, 31), today)
    query = (select(Milestone.kind, func.count(Milestone.id),
                    func.coalesce(func.sum(case((and_(Milestone.actual_on.is_not(None),
                                                      Milestone.actual_on <= end), 1), else_=0)), 0))
             .join(Project, Project.id == Milestone.project_id)
             .where(Project.phase != "planned",
                    Milestone.kind.in_(("construction_start", "completion", "production")),
                    Milestone.planned_on >= start, Milestone.planned_on <= end)
             .group_by(Milestone.kind))
    rates = {kind: Rate(kind, 0, 0) for kind in ("construction_start", "completion", "production")}
    for kind, due, done in db.session.execute(query):
        rates[kind] = Rate(kind, int(done), int(due))
    committed, in_place = capital_rate(year)
    rates["capital"] = _CapitalRate("capital", in_place, committed)
    return rates


@dataclass
class _CapitalRate:
    code: str
    done: Decimal
    due: Decimal

    @property
    def share(self) -> float | None:
        return float(self.done / self.due) if self.due else None


def capital_rate(year: int) -> tuple[Decimal, Decimal]:
    """(committed investment, capital in place to the end of `year`) over projects signed by then."""
    end = date(year, 12, 31)
    signed = (select(Milestone.project_id).where(Milestone.kind == "signed", Milestone.actual_on.is_not(None),
                                                  Milestone.actual_on <= end))
    committed = db.session.scalar(select(func.coalesce(func.sum(Project.investment_wan), 0))
                                  .where(Project.id.in_(signed))) or 0
    in_place = db.session.scalar(select(func.coalesce(func.sum(CapitalRecord.amount_wan), 0))
                                 .where(CapitalRecord.project_id.in_(signed), CapitalRecord.year <= year)) or 0
    return Decimal(str(committed)), Decimal(str(in_place))


STALLED = ("signed_not_started", "started_not_completed", "completed_not_producing")


def stalled_query(kind: str, today: date) -> Select:
    """Projects waiting past the planned date of their next milestone."""
    start = aliased(Milestone)
    done = aliased(Milestone)
    prod = aliased(Milestone)
    query = (select(Project, start.planned_on.label("start_planned"), done.planned_on.label("done_planned"),
                    prod.planned_on.label("prod_planned"))
             .outerjoin(start, and_(start.project_id == Project.id, start.kind == "construction_start"))
             .outerjoin(done, and_(done.project_id == Project.id, done.kind == "completion"))
             .outerjoin(prod, and_(prod.project_id == Project.id, prod.kind == "production")))
    if kind == "signed_not_started":
        query = query.where(Project.phase == "signed", start.actual_on.is_(None), start.planned_on < today)
        waiting = start.planned_on
    elif kind == "started_not_completed":
        query = query.where(start.actual_on.is_not(None), done.actual_on.is_(None), done.planned_on < today)
        waiting = done.planned_on
    else:
        # Completed, or a rented building moved into (no construction milestones), and not yet producing.
        query = query.where(Project.phase != "planned", prod.actual_on.is_(None), prod.planned_on < today,
                            or_(done.actual_on.is_not(None), and_(done.id.is_(None), start.id.is_(None))))
        waiting = prod.planned_on
    return with_lead_circle(query.add_columns(waiting.label("waiting_since")).order_by(waiting, Project.code))


def stalled_lists(today: date, limit: int = 10) -> dict[str, tuple[int, list]]:
    """For each stalled list: how many projects, and the longest-waiting few."""
    lists = {}
    for kind in STALLED:
        query = stalled_query(kind, today)
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        rows = db.session.execute(query.limit(limit)).all()
        lists[kind] = (total, rows)
    return lists


# ---------------------------------------------------------------------------------------------------------
# One project
# ---------------------------------------------------------------------------------------------------------

def project_figures(project: Project, today: date, year: int | None = None) -> Figures:
    """Realised tax, tax per mu and under-delivery of one project for `year` (default: last full year)."""
    year = year or last_full_year(today)
    columns, join, under = figure_columns(year, today)
    row = db.session.execute(join(select(columns["realised"].label("realised"),
                                         columns["tax_per_mu"].label("tax_per_mu"),
                                         case((under, 1), else_=0).label("under"),
                                         columns["production_on"].label("production_on"))
                                  .select_from(Project)).where(Project.id == project.id)).one()
    production_on = row.production_on
    return Figures(year=year, realised=_dec(row.realised), tax_per_mu=_dec(row.tax_per_mu),
                   under_delivering=bool(row.under),
                   in_production_full_year=production_on is not None and production_on <= date(year, 1, 1))


def tax_by_year(project_id: int) -> list[tuple[int, Decimal]]:
    query = (select(TaxRecord.year, func.sum(TaxRecord.amount_wan)).where(TaxRecord.project_id == project_id)
             .group_by(TaxRecord.year).order_by(TaxRecord.year))
    return [(year, _dec(total)) for year, total in db.session.execute(query)]


def tax_by_quarter(project_id: int) -> list[tuple[int, int, Decimal]]:
    query = (select(TaxRecord.year, TaxRecord.quarter, func.sum(TaxRecord.amount_wan))
             .where(TaxRecord.project_id == project_id)
             .group_by(TaxRecord.year, TaxRecord.quarter).order_by(TaxRecord.year, TaxRecord.quarter))
    return [(year, quarter, _dec(total)) for year, quarter, total in db.session.execute(query)]


def capital_by_quarter(project_id: int) -> list:
    """Each quarter's capital in place with the running total (a window function, in SQL)."""
    running = func.sum(CapitalRecord.amount_wan).over(order_by=(CapitalRecord.year, CapitalRecord.quarter))
    query = (select(CapitalRecord.year, CapitalRecord.quarter, CapitalRecord.amount_wan, CapitalRecord.note,
                    running.label("cumulative"))
             .where(CapitalRecord.project_id == project_id)
             .order_by(CapitalRecord.year, CapitalRecord.quarter))
    return db.session.execute(query).all()


def capital_total(project_id: int) -> Decimal:
    total = db.session.scalar(select(func.coalesce(func.sum(CapitalRecord.amount_wan), 0))
                              .where(CapitalRecord.project_id == project_id))
    return Decimal(str(total or 0))


def tax_summary_query(filters: ProjectFilters, today: date, years: list[int]) -> Select:
    """One row per project: realised tax per year in `years` (columns y<year>), promise, land, tax per mu."""
    columns, join, under = figure_columns(last_full_year(today), today)
    per_year = [func.coalesce(func.sum(case((TaxRecord.year == y, TaxRecord.amount_wan), else_=literal(0))), 0)
                .label(f"y{y}") for y in years]
    totals = (select(TaxRecord.project_id.label("project_id"), *per_year)
              .where(TaxRecord.project_id.is_not(None), TaxRecord.year.in_(years))
              .group_by(TaxRecord.project_id).subquery("per_year"))
    query = join(select(Project, columns["realised"].label("realised"), columns["tax_per_mu"].label("tax_per_mu"),
                        case((under, 1), else_=0).label("under"),
                        *[getattr(totals.c, f"y{y}") for y in years]))
    query = query.outerjoin(totals, totals.c.project_id == Project.id)
    query = _filtered(query, filters, under=under, columns=columns)
    return with_lead_circle(query.order_by(columns["tax_per_mu"].is_(None), columns["tax_per_mu"].desc(),
                                           Project.code))


def target_actuals(year: int) -> dict[str, Decimal]:
    """The register's figures for the year's targets (the dashboard uses them when this module exists).

    - key_projects: key projects under way in the year: signed by its end, not already producing before it;
    - key_talents: key talents introduced by projects signed in the year;
    - investment_wan: committed investment of projects signed in the year;
    - started_or_completed: key projects whose construction started or completed in the year (once each).
    """
    start, end = date(year, 1, 1), date(year, 12, 31)
    signed = aliased(Milestone)
    production = aliased(Milestone)
    base = (select(Project.id).join(signed, and_(signed.project_id == Project.id, signed.kind == "signed"))
            .where(signed.actual_on.is_not(None)))
    under_way = (base.outerjoin(production, and_(production.project_id == Project.id,
                                                 production.kind == "production"))
                 .where(Project.is_key.is_(True), signed.actual_on <= end,
                        or_(production.actual_on.is_(None), production.actual_on >= start)))
    key_projects = db.session.scalar(select(func.count()).select_from(under_way.subquery())) or 0
    talents, investment = db.session.execute(
        select(func.coalesce(func.sum(Project.talents), 0), func.coalesce(func.sum(Project.investment_wan), 0))
        .join(signed, and_(signed.project_id == Project.id, signed.kind == "signed"))
        .where(signed.actual_on >= start, signed.actual_on <= end)).one()
    moved = (select(func.count(func.distinct(Milestone.project_id)))
             .join(Project, Project.id == Milestone.project_id)
             .where(Project.is_key.is_(True), Milestone.kind.in_(("construction_start", "completion")),
                    Milestone.actual_on >= start, Milestone.actual_on <= end))
    started_or_completed = db.session.scalar(moved) or 0
    return {"key_projects": Decimal(int(key_projects)), "key_talents": Decimal(int(talents)),
            "investment_wan": Decimal(str(investment)).quantize(Decimal("0.01")),
            "started_or_completed": Decimal(int(started_or_completed))}
