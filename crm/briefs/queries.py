"""What each brief shows, read in a few bounded queries; every total over leads is computed in SQL."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select

from crm.auth.models import User
from crm.core.database import utcnow
from crm.core.formatting import local_today
from crm.core.vocabulary import STAGES
from crm.extensions import db
from crm.leads import stages
from crm.leads.models import OPEN_STAGES, Activity, Lead, LeadEvent

RECENT_ACTIVITIES = 5
STAGE_HISTORY = 8
OUTCOME_CHARS = 160
MESSAGE_CHARS = 400
KEY_LEADS_PER_STAGE = 8
LIST_LIMIT = 25
ACTIVE_STAGES = OPEN_STAGES + ("on_hold",)
TARGET_LABELS = {
    "key_projects": _l("Key projects under way"),
    "key_talents": _l("Key talents introduced"),
    "investment_wan": _l("Project investment (signed leads)"),
    "started_or_completed": _l("Key projects started or completed"),
    "signed_leads": _l("Signed leads"),
}


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
    """The owner and managers see the investor's full mobile; other officers see it masked."""
    return bool(reader.is_manager or (lead.owner_id is not None and lead.owner_id == reader.id))


def lead_brief_context(lead: Lead, *, reader: User, language: str) -> dict:
    """Everything the lead brief prints, in five small queries."""
    from crm.core.formatting import mask_mobile

    full = sees_full_contact(reader, lead)
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
        mobile=(lead.mobile or "") if full else mask_mobile(lead.mobile),
        is_masked=not full and bool(lead.mobile),
        industry=lead.industry.label(language) if lead.industry else "",
        message=clip(lead.message, MESSAGE_CHARS),
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
        outcomes={a.id: clip(a.outcome, OUTCOME_CHARS) for a in recent},
    )
    return {"brief": brief, "lead": lead, "reader": reader, "generated_at": utcnow(),
            "title": lead.company_name}


def _next_stage(stage: str) -> str | None:
    """The stage the lead would move to next along the pipeline (none once signed, lost or on hold)."""
    if stage not in stages.PIPELINE or stage == stages.PIPELINE[-1]:
        return None
    return stages.PIPELINE[stages.position(stage) + 1]


def matching_sites(lead: Lead, limit: int = 3) -> list | None:
    """The best-matching available sites from the site inventory, or None when it has no matcher yet."""
    try:
        from crm.sites import queries as site_queries
    except ImportError:
        return None
    finder = getattr(site_queries, "matching_sites", None)
    if finder is None:
        return None
    return list(finder(lead, limit=limit))


# ------------------------------------------------------------------------------------------ pipeline report

@dataclass
class FunnelRow:
    stage: str
    count: int
    investment_wan: Decimal
    weighted_wan: Decimal
    key_count: int


@dataclass
class OfficerRow:
    user: User
    by_stage: dict[str, int]
    open_count: int
    on_hold: int
    signed_this_year: int
    overdue: int
    stale: int
    activities_7d: int
    weighted_wan: Decimal


@dataclass
class TargetRow:
    code: str
    target: Decimal | int | None
    actual: Decimal | int | None

    @property
    def ratio(self) -> float | None:
        if self.actual is None or not self.target:
            return None
        return float(self.actual) / float(self.target)


@dataclass
class Report:
    today: date
    year: int
    year_elapsed: float
    stale_days: int
    funnel: list[FunnelRow]
    targets: list[TargetRow]
    has_targets: bool
    key_leads: list[tuple[str, int, list[Lead]]]
    stale: list[Lead]
    stale_total: int
    overdue: list[Lead]
    overdue_total: int
    officers: list[OfficerRow]
    totals: dict = field(default_factory=dict)


def _year_start(year: int) -> datetime:
    return datetime(year, 1, 1)


def _stale_condition(cutoff: datetime):
    """An open lead nobody has touched since `cutoff` (never-touched leads count from their creation)."""
    return and_(Lead.stage.in_(OPEN_STAGES),
                or_(Lead.last_activity_at < cutoff,
                    and_(Lead.last_activity_at.is_(None), Lead.created_at < cutoff)))


def funnel_rows() -> list[FunnelRow]:
    """Leads per stage with their planned investment and its probability-weighted value."""
    rows = db.session.execute(
        select(Lead.stage, func.count(Lead.id), func.coalesce(func.sum(Lead.planned_investment_wan), 0),
               func.coalesce(func.sum(case((Lead.is_key.is_(True), 1), else_=0)), 0))
        .group_by(Lead.stage)).all()
    found = {stage: (count, Decimal(total or 0), int(key or 0)) for stage, count, total, key in rows}
    result = []
    for stage in STAGES.codes:
        count, total, key = found.get(stage, (0, Decimal(0), 0))
        weighted = (total * Decimal(str(stages.probability(stage)))).quantize(Decimal("0.01"))
        result.append(FunnelRow(stage, count, total, weighted, key))
    return result


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
        result.append((stage, totals[stage], list(leads)))
    return result


def stale_leads(cutoff: datetime, limit: int = LIST_LIMIT) -> tuple[list[Lead], int]:
    """Open leads untouched since `cutoff`, longest-forgotten first, and how many there are in all."""
    touched = func.coalesce(Lead.last_activity_at, Lead.created_at)
    condition = _stale_condition(cutoff)
    total = db.session.scalar(select(func.count(Lead.id)).where(condition))
    leads = db.session.scalars(select(Lead).where(condition).order_by(touched, Lead.id).limit(limit))
    return list(leads), int(total or 0)


def overdue_leads(today: date, limit: int = LIST_LIMIT) -> tuple[list[Lead], int]:
    """Active leads whose next action was due before today, most overdue first, and how many in all."""
    condition = and_(Lead.stage.in_(ACTIVE_STAGES), Lead.next_action_due < today)
    total = db.session.scalar(select(func.count(Lead.id)).where(condition))
    leads = db.session.scalars(select(Lead).where(condition).order_by(Lead.next_action_due, Lead.id).limit(limit))
    return list(leads), int(total or 0)


def officer_rows(today: date, stale_cutoff: datetime, year: int) -> list[OfficerRow]:
    """One row per person who owns leads or is an active officer: their pipeline, pace and backlog."""
    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    weighted = func.coalesce(func.sum(case(
        *[(Lead.stage == stage, Lead.planned_investment_wan * Decimal(str(stages.probability(stage))))
          for stage in OPEN_STAGES], else_=0)), 0)
    columns = [count_if(Lead.stage == stage) for stage in OPEN_STAGES] + [
        count_if(Lead.stage == "on_hold"),
        count_if(and_(Lead.stage == "signed", Lead.stage_entered_at >= _year_start(year))),
        count_if(and_(Lead.stage.in_(ACTIVE_STAGES), Lead.next_action_due < today)),
        count_if(_stale_condition(stale_cutoff)),
        weighted,
    ]
    rows = db.session.execute(
        select(Lead.owner_id, *columns).where(Lead.owner_id.is_not(None)).group_by(Lead.owner_id)).all()
    week_ago = utcnow() - timedelta(days=7)
    activity = dict(db.session.execute(
        select(Activity.user_id, func.count(Activity.id))
        .where(Activity.occurred_at >= week_ago, Activity.user_id.is_not(None))
        .group_by(Activity.user_id)).all())
    by_owner = {row[0]: row[1:] for row in rows}
    people = db.session.scalars(select(User).where(or_(
        User.id.in_(list(by_owner) or [-1]), and_(User.active.is_(True), User.role == "officer"))))
    result = []
    for user in people:
        values = by_owner.get(user.id, (0,) * (len(OPEN_STAGES) + 4) + (0,))
        by_stage = {stage: int(values[i]) for i, stage in enumerate(OPEN_STAGES)}
        on_hold, signed, overdue, stale, weighted_sum = values[len(OPEN_STAGES):]
        result.append(OfficerRow(
            user=user, by_stage=by_stage, open_count=sum(by_stage.values()), on_hold=int(on_hold),
            signed_this_year=int(signed), overdue=int(overdue), stale=int(stale),
            activities_7d=int(activity.get(user.id, 0)),
            weighted_wan=Decimal(weighted_sum or 0).quantize(Decimal("0.01"))))
    result.sort(key=lambda r: (-r.open_count, -r.signed_this_year, r.user.name))
    return result


def target_rows(year: int) -> tuple[list[TargetRow], bool]:
    """The year's targets against what the lead register can tell (signed leads, their investment).

    Project-based targets (key projects, starts and completions, talents) show their target only until
    the project register can count them.
    """
    try:
        from crm.dashboard.models import TARGET_FIELDS, Target
    except ImportError:  # pragma: no cover - the dashboard feature is absent
        return [], False
    target = db.session.scalar(select(Target).where(Target.year == year))
    signed, investment = db.session.execute(
        select(func.count(Lead.id), func.coalesce(func.sum(Lead.planned_investment_wan), 0))
        .where(Lead.stage == "signed", Lead.stage_entered_at >= _year_start(year),
               Lead.stage_entered_at < _year_start(year + 1))).one()
    actuals = {"signed_leads": int(signed or 0), "investment_wan": Decimal(investment or 0)}
    rows = [TargetRow(code, getattr(target, code, None) if target else None, actuals.get(code))
            for code in TARGET_FIELDS]
    return rows, target is not None


def pipeline_context(*, reader: User, language: str) -> dict:
    """Everything the weekly pipeline report prints; lists are capped, totals come from SQL."""
    today = local_today()
    now = utcnow()
    stale_days = int(current_app.config.get("STALE_AFTER_DAYS", 14))
    cutoff = now - timedelta(days=stale_days)
    year = today.year
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    funnel = funnel_rows()
    targets, has_targets = target_rows(year)
    stale, stale_total = stale_leads(cutoff)
    overdue, overdue_total = overdue_leads(today)
    open_rows = [row for row in funnel if row.stage in OPEN_STAGES]
    report = Report(
        today=today, year=year, year_elapsed=(today - start).days / (end - start).days,
        stale_days=stale_days, funnel=funnel, targets=targets, has_targets=has_targets,
        key_leads=key_leads_by_stage(), stale=stale, stale_total=stale_total,
        overdue=overdue, overdue_total=overdue_total, officers=officer_rows(today, cutoff, year),
        totals={
            "open": sum(r.count for r in open_rows),
            "open_investment": sum((r.investment_wan for r in open_rows), Decimal(0)),
            "weighted": sum((r.weighted_wan for r in open_rows), Decimal(0)),
            "key": sum(r.key_count for r in open_rows),
            "all": sum(r.count for r in funnel),
        },
    )
    return {"report": report, "reader": reader, "generated_at": now, "open_stages": OPEN_STAGES,
            "probabilities": {stage: stages.probability(stage) for stage in STAGES.codes},
            "TARGET_LABELS": TARGET_LABELS, "funnel_chart": None}


def project_context(project, *, reader: User, language: str) -> dict:  # pragma: no cover - until issue 4
    raise NotImplementedError("the project brief needs the project register (crm/projects)")
