"""What each brief shows, read in a few bounded queries; every total over leads is computed in SQL."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import and_, case, func, select

from crm.auth.models import User
from crm.core.database import utcnow
from crm.core.formatting import local_today
from crm.core.vocabulary import STAGES
from crm.dashboard import queries as dashboard_queries
from crm.dashboard import targets
from crm.extensions import db
from crm.leads import stages
from crm.leads.models import OPEN_STAGES, Activity, Lead, LeadEvent
from crm.privacy import visibility

RECENT_ACTIVITIES = 5
STAGE_HISTORY = 8
OUTCOME_CHARS = 160
MESSAGE_CHARS = 400
KEY_LEADS_PER_STAGE = 8
LIST_LIMIT = 25
ACTIVE_STAGES = OPEN_STAGES + ("on_hold",)


def clip(text: str | None, limit: int) -> str:
    """Shorten free text so a brief stays within its pages; the full text is one click away in the app."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------------- lead brief

@dataclass
class LeadBrief:
    lead: Lead
    mobile: str
    is_masked: bool
    industry: str
    message: str
    tax_per_mu: Decimal | None
    activity_counts: list[tuple[str, int]]
    last_activity_at: datetime | None
    recent: list[Activity]
    stage_history: list[LeadEvent]
    days_in_stage: int
    next_stage: str | None
    next_stage_needs: list[str]
    is_overdue: bool
    sites: list | None = None
    outcomes: dict = field(default_factory=dict)


def sees_full_contact(reader: User, lead: Lead) -> bool:
    """The owner, the sponsoring leader and managers see the investor's full mobile; other officers see it
    masked (crm.privacy.visibility decides, as everywhere else)."""
    return visibility.sees_contact(reader, lead)


def lead_brief_context(lead: Lead, *, reader: User, language: str) -> dict:
    """Everything the lead brief prints, in a few small queries (lists are capped)."""
    counts = db.session.execute(
        select(Activity.kind, func.count(Activity.id), func.max(Activity.occurred_at))
        .where(Activity.lead_id == lead.id).group_by(Activity.kind)).all()
    recent = list(db.session.scalars(
        select(Activity).where(Activity.lead_id == lead.id)
        .order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(RECENT_ACTIVITIES)))
    history = list(db.session.scalars(
        select(LeadEvent).where(LeadEvent.lead_id == lead.id, LeadEvent.field == "stage")
        .order_by(LeadEvent.at.desc(), LeadEvent.id.desc()).limit(STAGE_HISTORY)))
    history.reverse()
    next_stage = _next_stage(lead.stage)
    needs = stages.missing_for(lead, next_stage) if next_stage else []
    tax_per_mu = None
    if lead.expected_tax_wan is not None and lead.land_mu:
        tax_per_mu = (Decimal(lead.expected_tax_wan) / Decimal(lead.land_mu)).quantize(Decimal("0.01"))
    brief = LeadBrief(
        lead=lead,
        mobile=visibility.visible_mobile(reader, lead),
        is_masked=visibility.is_masked(reader, lead),
        industry=lead.industry.label(language) if lead.industry else "",
        message=clip(visibility.visible_message(reader, lead), MESSAGE_CHARS),
        tax_per_mu=tax_per_mu,
        activity_counts=sorted(((kind, n) for kind, n, _last in counts), key=lambda kv: -kv[1]),
        last_activity_at=max((last for _k, _n, last in counts), default=None),
        recent=recent,
        stage_history=history,
        days_in_stage=max(0, (utcnow() - lead.stage_entered_at).days) if lead.stage_entered_at else 0,
        next_stage=next_stage,
        next_stage_needs=[str(stages.GATE_FIELDS[m]) for m in needs],
        is_overdue=bool(lead.next_action_due and lead.next_action_due < local_today()
                        and lead.stage in ACTIVE_STAGES),
        sites=matching_sites(lead),
        outcomes={a.id: clip(visibility.visible_outcome(reader, lead, a), OUTCOME_CHARS) for a in recent},
    )
    return {"brief": brief, "lead": lead, "reader": reader, "generated_at": utcnow(),
            "SITE_KINDS": site_kinds() if brief.sites is not None else None}


def _next_stage(stage: str) -> str | None:
    """The stage the lead would move to next along the pipeline (none once signed, lost or on hold)."""
    if stage not in stages.PIPELINE or stage == stages.PIPELINE[-1]:
        return None
    return stages.PIPELINE[stages.position(stage) + 1]


def matching_sites(lead: Lead, limit: int = 3) -> list | None:
    """The best-matching sites from the site inventory's matcher (crm.sites.matching), each with its score
    and reasons; None when the inventory is not installed, so the brief leaves the section out."""
    try:
        from crm.sites import matching
    except ImportError:
        return None
    return matching.matches_for(lead, local_today(), limit=limit)


def site_kinds():
    """The site kinds' labels, when the site inventory is installed."""
    try:
        from crm.sites.vocabulary import SITE_KINDS
    except ImportError:
        return None
    return SITE_KINDS


# ------------------------------------------------------------------------------------------ pipeline report
# Stale leads, the officers' backlog and target progress are the dashboard's own queries (crm.dashboard), so
# the paper on the table and the dashboard on the wall never disagree. The dashboard's cohort funnel is not
# used: at 100,000 leads it alone takes seconds (a union over every stage event), and the weekly meeting
# looks at where leads stand today, which one GROUP BY answers.

@dataclass
class FunnelRow:
    stage: str
    count: int
    investment_wan: Decimal
    weighted_wan: Decimal
    key_count: int


@dataclass
class OfficerRow:
    user: User | None  # None: the leads nobody owns
    by_stage: dict[str, int] = field(default_factory=dict)
    on_hold: int = 0
    signed_this_year: int = 0
    overdue: int = 0
    stale: int = 0
    activities_7d: int = 0
    weighted_wan: Decimal = Decimal("0.00")

    @property
    def open_count(self) -> int:
        return sum(self.by_stage.values())


@dataclass
class Report:
    today: date
    year: int
    year_elapsed: float
    stale_days: int
    funnel: list[FunnelRow]
    targets: list
    has_targets: bool
    key_leads: list[tuple[str, int, list[Lead]]]
    stale: list[Lead]
    stale_total: int
    overdue: list[Lead]
    overdue_total: int
    officers: list[OfficerRow]
    totals: dict = field(default_factory=dict)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _weighted(only=None):
    """The sum of planned investment × the stage's win probability, in SQL (over stages `only`)."""
    probabilities = current_app.config["STAGE_PROBABILITIES"]
    return func.coalesce(func.sum(case(
        *[(Lead.stage == stage, Lead.planned_investment_wan * Decimal(str(p)))
          for stage, p in probabilities.items() if only is None or stage in only],
        else_=0)), 0)


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def funnel_rows() -> list[FunnelRow]:
    """Where every lead stands today: leads per stage, planned investment and its weighted value."""
    rows = db.session.execute(
        select(Lead.stage, func.count(Lead.id), func.coalesce(func.sum(Lead.planned_investment_wan), 0),
               _weighted(), _count_if(Lead.is_key.is_(True)))
        .group_by(Lead.stage)).all()
    found = {stage: (int(count), _money(total), _money(weighted), int(key or 0))
             for stage, count, total, weighted, key in rows}
    return [FunnelRow(stage, *found.get(stage, (0, _money(0), _money(0), 0))) for stage in STAGES.codes]


def key_leads_by_stage(limit: int = KEY_LEADS_PER_STAGE) -> list[tuple[str, int, list[Lead]]]:
    """Key leads of each active stage, highest priority and largest investment first (at most `limit`)."""
    totals = dict(db.session.execute(
        select(Lead.stage, func.count(Lead.id)).where(Lead.is_key.is_(True), Lead.stage.in_(ACTIVE_STAGES))
        .group_by(Lead.stage)).all())
    result = []
    for stage in ACTIVE_STAGES:
        if not totals.get(stage):
            continue
        leads = db.session.scalars(
            select(Lead).where(Lead.is_key.is_(True), Lead.stage == stage)
            .order_by(Lead.priority, Lead.planned_investment_wan.desc().nulls_last(), Lead.id).limit(limit))
        result.append((stage, int(totals[stage]), list(leads)))
    return result


def overdue_leads(today: date, limit: int = LIST_LIMIT) -> tuple[list[Lead], int]:
    """Active leads whose next action was due before today, most overdue first, and how many in all."""
    condition = and_(Lead.stage.in_(ACTIVE_STAGES), Lead.next_action_due < today)
    total = db.session.scalar(select(func.count(Lead.id)).where(condition))
    leads = db.session.scalars(select(Lead).where(condition).order_by(Lead.next_action_due, Lead.id).limit(limit))
    return list(leads), int(total or 0)


def officer_rows(today: date, stale_days: int) -> list[OfficerRow]:
    """One row per officer (and per other owner of leads): the dashboard's backlog figures (signed this
    year, overdue, stale, activities in 7 days) and, from one more GROUP BY, their leads per stage and
    weighted value."""
    rows = {}
    for row in dashboard_queries.officers(dashboard_queries.Period.year_to_date(today), today, stale_days):
        rows[row.user.id if row.user else None] = OfficerRow(
            user=row.user, signed_this_year=row.signed, overdue=row.overdue, stale=row.stale,
            activities_7d=row.activities_7d)
    stage_columns = [_count_if(Lead.stage == stage) for stage in ACTIVE_STAGES]
    query = (select(Lead.owner_id, *stage_columns, _weighted(OPEN_STAGES))
             .where(Lead.stage.in_(ACTIVE_STAGES)).group_by(Lead.owner_id))
    for owner_id, *values in db.session.execute(query):
        row = rows.get(owner_id)
        if row is None:  # an owner the dashboard does not list
            row = rows[owner_id] = OfficerRow(user=db.session.get(User, owner_id) if owner_id else None)
        counts = [int(v or 0) for v in values[:-1]]
        row.by_stage = dict(zip(OPEN_STAGES, counts[:len(OPEN_STAGES)], strict=True))
        row.on_hold = counts[-1]
        row.weighted_wan = _money(values[-1])
    for row in rows.values():
        row.by_stage = row.by_stage or dict.fromkeys(OPEN_STAGES, 0)
    return sorted(rows.values(), key=lambda r: (r.user is None, -r.open_count, -r.signed_this_year,
                                                r.user.name if r.user else ""))


def pipeline_context(*, reader: User, language: str) -> dict:
    """Everything the weekly pipeline report prints; lists are capped, totals come from SQL."""
    today = local_today()
    stale_days = int(current_app.config.get("STALE_AFTER_DAYS", 14))
    year = today.year
    funnel = funnel_rows()
    stale = dashboard_queries.stale_leads(today, stale_days, limit=LIST_LIMIT)
    overdue, overdue_total = overdue_leads(today)
    open_rows = [row for row in funnel if row.stage in OPEN_STAGES]
    report = Report(
        today=today, year=year, year_elapsed=float(targets.elapsed_fraction(year, today)),
        stale_days=stale_days, funnel=funnel,
        targets=targets.progress(year, today), has_targets=targets.target_for(year) is not None,
        key_leads=key_leads_by_stage(), stale=stale.leads, stale_total=stale.count,
        overdue=overdue, overdue_total=overdue_total, officers=officer_rows(today, stale_days),
        totals={
            "open": sum(r.count for r in open_rows),
            "open_investment": sum((r.investment_wan for r in open_rows), Decimal(0)),
            "weighted": sum((r.weighted_wan for r in open_rows), Decimal(0)),
            "key": sum(r.key_count for r in open_rows),
            "all": sum(r.count for r in funnel),
        },
    )
    return {"report": report, "reader": reader, "generated_at": utcnow(), "open_stages": OPEN_STAGES,
            "probabilities": {stage: stages.probability(stage) for stage in STAGES.codes},
            "funnel_chart": None}


# ------------------------------------------------------------------------------------------- project brief
# The project register (crm.projects, issue 4) is imported inside these functions: the lead brief and the
# pipeline report work without it, and the project brief answers 404 until it is installed.

PROBLEMS_SHOWN = 8
TAX_YEARS_SHOWN = 6


@dataclass
class ProjectBrief:
    project: object
    figures: object  # crm.projects.queries.Figures for the last full year
    milestones: list
    tax_years: list[tuple[int, Decimal | None, Decimal | None]]  # (year, realised, promised)
    zone_median: Decimal | None
    median_of: int
    capital_total: Decimal
    capital_share: float | None
    problems: list
    open_problems: int
    today: date = field(default_factory=local_today)


def zone_tax_per_mu_median(year: int) -> tuple[Decimal | None, int]:
    """The zone's median tax per mu in `year` over projects with land and realised tax, and how many.

    Computed in SQL with window functions (the middle row, or the mean of the middle two), the same way on
    SQLite and PostgreSQL.
    """
    from crm.projects import queries as project_queries
    from crm.projects.models import Project

    realised = project_queries.realised_subquery(year)
    per_mu = (realised.c.realised / Project.land_mu).label("per_mu")
    base = (select(per_mu).select_from(Project).join(realised, realised.c.project_id == Project.id)
            .where(Project.land_mu > 0, realised.c.realised > 0).subquery())
    ranked = select(base.c.per_mu, func.row_number().over(order_by=base.c.per_mu).label("rn"),
                    func.count().over().label("n")).subquery()
    median, count = db.session.execute(
        select(func.avg(ranked.c.per_mu), func.max(ranked.c.n))
        .where(2 * ranked.c.rn >= ranked.c.n, 2 * ranked.c.rn <= ranked.c.n + 2)).one()
    return (_money(median) if median is not None else None), int(count or 0)


def project_context(project, *, reader: User, language: str) -> dict:
    """Everything the project brief prints: figures, milestones, tax against promise and the zone median."""
    from crm.projects import queries as project_queries
    from crm.projects.models import Problem

    today = local_today()
    figures = project_queries.project_figures(project, today)
    by_year = dict(project_queries.tax_by_year(project.id))
    last = project_queries.last_full_year(today)
    signed = project.milestone("signed")
    began = [year for year in (*by_year, signed.actual_on.year if signed and signed.actual_on else None) if year]
    years = range(max(min(began, default=last), last - TAX_YEARS_SHOWN + 1), last + 1)
    median, median_of = zone_tax_per_mu_median(figures.year)
    capital = project_queries.capital_total(project.id)
    open_problem = Problem.status != "resolved"
    problems = list(db.session.scalars(
        select(Problem).where(Problem.project_id == project.id, open_problem)
        .order_by(Problem.due_on, Problem.id).limit(PROBLEMS_SHOWN)))
    open_count = db.session.scalar(
        select(func.count(Problem.id)).where(Problem.project_id == project.id, open_problem)) or 0
    brief = ProjectBrief(
        project=project, figures=figures, milestones=list(project.milestones),
        tax_years=[(year, by_year.get(year), project.promised_tax_wan) for year in years],
        zone_median=median, median_of=median_of, capital_total=capital,
        capital_share=float(capital / project.investment_wan) if project.investment_wan else None,
        problems=problems, open_problems=int(open_count), today=today)
    from crm.projects.vocabulary import FLAGS, MILESTONE_KINDS, PHASES, PROBLEM_STATUSES

    return {"brief": brief, "project": project, "reader": reader, "generated_at": utcnow(),
            "industry": project.industry.label(language) if project.industry else "",
            "PHASES": PHASES, "FLAGS": FLAGS, "MILESTONE_KINDS": MILESTONE_KINDS,
            "PROBLEM_STATUSES": PROBLEM_STATUSES, "under_share": project_queries.UNDER_DELIVERY_SHARE}
