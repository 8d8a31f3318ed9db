"""Progress against a year's targets: actual so far, where a steady pace would be today, year-end forecast.

Actuals come from leads signed in the year (zone calendar). When the project register exists and its
`crm.projects.queries` module offers `target_actuals(year) -> dict`, the figures it returns (for example
key_projects, key_talents, started_or_completed) replace the lead-based ones, so the page switches to
projects without this module depending on them.

The forecast adds the weighted pipeline to the actual: every live lead (open or on hold) contributes its
stage probability (to signed leads), that probability if it is a key lead (to key projects), and its
planned investment × probability (to investment). For the current year, leads whose expected signing date
(next action due) falls after 31 December are left out; for a future year only leads expected in that year
count; a past year's forecast is its actual.
"""

import importlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select

from crm.dashboard import sql
from crm.dashboard.models import TARGET_FIELDS, Target
from crm.dashboard.queries import Period, weighted_value
from crm.extensions import db
from crm.leads.models import Lead

LABELS = {
    "key_projects": _l("Key projects"),
    "key_talents": _l("Key talents"),
    "investment_wan": _l("Investment (10k yuan)"),
    "started_or_completed": _l("Projects started or completed"),
    "signed_leads": _l("Signed leads"),
}
MONEY_FIELDS = ("investment_wan",)
CENT = Decimal("0.01")


@dataclass
class Progress:
    field: str
    target: Decimal | None
    actual: Decimal
    pace: Decimal | None
    forecast: Decimal | None
    note: object = None  # a translatable explanation of where the actual comes from

    @property
    def label(self) -> str:
        return str(LABELS[self.field])

    @property
    def is_money(self) -> bool:
        return self.field in MONEY_FIELDS

    def share(self, value) -> float | None:
        """`value` as a fraction of the target."""
        return sql.ratio(value, self.target)

    @property
    def on_track(self) -> bool | None:
        """At or ahead of a steady pace (None when there is no target)."""
        if self.target is None or self.pace is None:
            return None
        return self.actual >= self.pace


def target_for(year: int) -> Target | None:
    return db.session.scalar(select(Target).where(Target.year == year))


def target_years() -> list[int]:
    return list(db.session.scalars(select(Target.year).order_by(Target.year.desc())))


def elapsed_fraction(year: int, today: date) -> Decimal:
    """Share of `year` gone by the end of `today`: 0 before it starts, 1 once it is over."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    if today < first:
        return Decimal(0)
    if today >= last:
        return Decimal(1)
    return Decimal((today - first).days + 1) / Decimal((last - first).days + 1)


def lead_actuals(year: int) -> dict[str, Decimal]:
    """Signed leads, signed key leads and their planned investment, for leads signed in `year`."""
    signed_in_year = and_(Lead.stage == "signed", Period.year(year).contains(Lead.stage_entered_at))
    count, key, investment = db.session.execute(
        select(func.count(), func.sum(case((Lead.is_key.is_(True), 1), else_=0)),
               func.sum(Lead.planned_investment_wan)).where(signed_in_year)).one()
    return {"signed_leads": Decimal(int(count or 0)), "key_projects": Decimal(int(key or 0)),
            "investment_wan": sql.money(investment), "key_talents": Decimal(0),
            "started_or_completed": Decimal(0)}


def project_actuals(year: int) -> dict:
    """Figures from the project register, if it is installed and offers them; else nothing."""
    try:
        module = importlib.import_module("crm.projects.queries")
    except ModuleNotFoundError as err:
        if err.name and err.name.startswith("crm.projects"):
            return {}
        raise
    hook = getattr(module, "target_actuals", None)
    return dict(hook(year)) if hook else {}


def pipeline_expectation(year: int, today: date) -> dict[str, Decimal]:
    """What the weighted pipeline is expected to add by the end of `year` (see the module docstring)."""
    zero = {"signed_leads": Decimal(0), "key_projects": Decimal(0), "investment_wan": Decimal("0.00")}
    if year < today.year:
        return zero
    due = Lead.next_action_due
    if year == today.year:
        when = or_(due.is_(None), due <= date(year, 12, 31))
    else:
        when = and_(due >= date(year, 1, 1), due <= date(year, 12, 31))
    p = sql.stage_probability(Lead.stage)
    signings, key, investment = db.session.execute(
        select(func.sum(p), func.sum(case((Lead.is_key.is_(True), p), else_=0)), func.sum(weighted_value()))
        .where(Lead.stage.in_(sql.LIVE_STAGES), when)).one()
    return {"signed_leads": sql.money(signings), "key_projects": sql.money(key),
            "investment_wan": sql.money(investment)}


def progress(year: int, today: date) -> list[Progress]:
    """One line per target figure, whether or not a target is set for the year."""
    target = target_for(year)
    actuals = lead_actuals(year)
    from_projects = project_actuals(year)
    actuals.update({k: Decimal(str(v)) for k, v in from_projects.items() if k in TARGET_FIELDS and v is not None})
    expected = pipeline_expectation(year, today)
    fraction = elapsed_fraction(year, today)
    notes = _notes(from_projects)
    lines = []
    for name in TARGET_FIELDS:
        goal = getattr(target, name) if target else None
        goal = Decimal(goal) if goal is not None else None
        actual = actuals[name]
        forecast = (actual + expected[name]).quantize(CENT) if name in expected else actual
        pace = (goal * fraction).quantize(CENT) if goal is not None else None
        lines.append(Progress(name, goal, actual, pace, forecast, notes.get(name)))
    return lines


def _notes(from_projects: dict) -> dict:
    notes = {
        "key_projects": _l("Key leads signed this year (the project register will take over when it is in use)."),
        "key_talents": _l("Not recorded yet: talents will be counted once projects record them."),
        "started_or_completed": _l("Counted from project milestones once the project register is in use."),
        "investment_wan": _l("Planned investment of leads signed this year."),
        "signed_leads": _l("Leads that reached Signed this year."),
    }
    for name in from_projects:
        if name in notes:
            notes[name] = _l("From the project register.")
    return notes
