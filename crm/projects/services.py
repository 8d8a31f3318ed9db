"""Writes to projects: created from a signed lead (or by hand), milestones, capital in place, problems.

Every service takes the acting user (`by`), flushes, and leaves the commit to its caller.
"""

import uuid
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from crm.auth.models import User
from crm.core.database import utcnow
from crm.core.values import same_value
from crm.extensions import db
from crm.leads.identity import normalise_company, normalise_credit_code
from crm.leads.models import Lead
from crm.projects.models import (
    MILESTONES,
    PHASE_OF_MILESTONE,
    CapitalRecord,
    Milestone,
    Problem,
    Project,
    ProjectEvent,
)
from crm.projects.vocabulary import PROBLEM_CATEGORIES, PROBLEM_STATUSES

EDITABLE_FIELDS = (
    "name", "company_name", "credit_code", "industry_code", "description", "investment_wan", "land_mu",
    "floor_area_m2", "promised_tax_wan", "expected_output_wan", "jobs", "talents", "is_key", "is_four_new",
    "is_500_strong", "sponsoring_leader", "owner_id",
)
# Leaders' time and the zone's reporting flags are a manager's call.
MANAGER_FIELDS = ("is_key", "is_four_new", "is_500_strong", "sponsoring_leader", "owner_id")

# Months after signing each milestone is planned by default; officers adjust the dates afterwards.
# A plant (land, investment) goes through land handover and construction; a rented building only fits out.
DEFAULT_PLAN_MONTHS = {
    "build": {"signed": 0, "land_handover": 3, "construction_start": 4, "completion": 16, "production": 20},
    "move_in": {"signed": 0, "production": 4},
}


class ProjectError(Exception):
    """A project change the rules do not allow; `message` is shown to the user."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class ProjectVersionConflict(ProjectError):
    """Someone saved the project after the editor opened it."""


def _today() -> date:
    from crm.core.formatting import local_today

    return local_today()


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _audit(project: Project, kind: str, *, by: User | None, field: str | None = None, old=None, new=None,
           note: str | None = None) -> ProjectEvent:
    event = ProjectEvent(project_id=project.id, kind=kind, field=field, old_value=_text(old),
                         new_value=_text(new), note=note, user_id=by.id if by else None, at=utcnow())
    db.session.add(event)
    return event


def can_edit_project(user: User | None, project: Project) -> bool:
    """Managers edit every project; officers the projects they own or that nobody owns."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_manager or project.owner_id in (None, user.id)


def require_edit(user: User | None, project: Project) -> None:
    if user is not None and not can_edit_project(user, project):
        raise ProjectError(_l("You can only change projects you own or unassigned ones."))


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def plan_for(lead_kind: str | None) -> dict[str, int]:
    return DEFAULT_PLAN_MONTHS["move_in" if lead_kind in ("factory_rental", "office") else "build"]


def _assign_code(project: Project) -> None:
    """XM-2026-00042: derived from the id, so two signings at once can never collide."""
    project.code = f"XM-{(project.created_at or utcnow()).year}-{project.id:05d}"


def create_project_from_lead(lead: Lead, *, by: User | None, today: date | None = None) -> Project:
    """Called by move_lead inside the signing transaction: the project, its sites and its signed milestone.

    If anything here fails the exception propagates and the caller's rollback undoes the stage change too.
    """
    today = today or _today()
    project = Project(
        code=f"TMP-{uuid.uuid4().hex[:16]}", name=lead.company_name[:200], company_name=lead.company_name,
        company_key=lead.company_key or normalise_company(lead.company_name), credit_code=lead.credit_code,
        lead_id=lead.id, industry_code=lead.industry_code,
        description=(lead.intended_use or None) and lead.intended_use[:500], phase="signed",
        investment_wan=lead.planned_investment_wan, land_mu=lead.land_mu, floor_area_m2=lead.floor_area_m2,
        promised_tax_wan=lead.expected_tax_wan, expected_output_wan=lead.expected_output_wan, jobs=lead.jobs,
        is_key=bool(lead.is_key), sponsoring_leader=lead.sponsoring_leader, owner_id=lead.owner_id,
        created_at=utcnow())
    db.session.add(project)
    db.session.flush()
    _assign_code(project)
    add_default_milestones(project, plan_for(lead.kind), start=today, signed_on=today)
    _audit(project, "created", by=by, field="lead_id", new=lead.id, note=lead.reference)
    from crm.sites.services import take_sites_for_project

    for site in take_sites_for_project(lead, project, by=by):
        _audit(project, "site", by=by, field="site", new=site.code)
    link_tax_records(project)
    db.session.flush()
    return project


def add_default_milestones(project: Project, plan: dict[str, int], *, start: date,
                           signed_on: date | None) -> None:
    for position, kind in enumerate(MILESTONES):
        if kind not in plan:
            continue
        project.milestones.append(Milestone(
            kind=kind, position=position, planned_on=add_months(start, plan[kind]),
            actual_on=signed_on if kind == "signed" else None))


def create_project(values: dict, *, by: User) -> Project:
    """A manager adds a project by hand: a planned one (谋划) or one signed outside the pipeline."""
    if not by.is_manager:
        raise ProjectError(_l("Only a manager can add projects by hand."))
    values = {k: v for k, v in values.items() if k in EDITABLE_FIELDS}
    if not (values.get("name") or "").strip() or not (values.get("company_name") or "").strip():
        raise ProjectError(_l("Enter the project name and the investor company."))
    project = Project(code=f"TMP-{uuid.uuid4().hex[:16]}", phase="planned", created_at=utcnow(), **values)
    project.company_key = normalise_company(project.company_name)
    project.credit_code = normalise_credit_code(project.credit_code) or None
    db.session.add(project)
    db.session.flush()
    _assign_code(project)
    for position, kind in enumerate(MILESTONES):
        project.milestones.append(Milestone(kind=kind, position=position))
    _audit(project, "created", by=by, field="phase", new="planned")
    link_tax_records(project)
    db.session.flush()
    return project


def update_project(project: Project, changes: dict, *, by: User, expected_version: int | None) -> list[str]:
    """Apply edited fields, auditing each; a stale `expected_version` changes nothing."""
    require_edit(by, project)
    if expected_version is None or int(expected_version) != project.version:
        raise ProjectVersionConflict(_l("Someone else changed this project while you were editing it."))
    old_credit = project.credit_code
    changed = []
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            continue
        if name == "credit_code":
            value = normalise_credit_code(value) or None
        old = getattr(project, name)
        if same_value(old, value):
            continue
        if name in MANAGER_FIELDS and not by.is_manager:
            raise ProjectError(_l("Only a manager can set the flags, the sponsoring leader or the owner."))
        setattr(project, name, value)
        _audit(project, "field", by=by, field=name, old=old, new=value)
        changed.append(name)
    if "company_name" in changed:
        project.company_key = normalise_company(project.company_name)
    if changed:
        project.updated_at = utcnow()
        db.session.flush()
    if "credit_code" in changed or "company_name" in changed:
        unlink_tax_records(project, old_credit)
        link_tax_records(project)
    return changed


def link_tax_records(project: Project) -> int:
    """Tax imported before the project knew its credit code is linked once it does."""
    from crm.tax.models import TaxRecord

    if not project.credit_code:
        return 0
    result = db.session.execute(
        update(TaxRecord).where(TaxRecord.credit_code == project.credit_code, TaxRecord.project_id.is_(None))
        .values(project_id=project.id).execution_options(synchronize_session=False))
    return result.rowcount or 0


def unlink_tax_records(project: Project, old_credit_code: str | None) -> None:
    """A corrected credit code: records matched by the wrong one are no longer this project's."""
    from crm.tax.models import TaxRecord

    if not old_credit_code or old_credit_code == project.credit_code:
        return
    db.session.execute(
        update(TaxRecord).where(TaxRecord.project_id == project.id, TaxRecord.credit_code == old_credit_code)
        .values(project_id=None).execution_options(synchronize_session=False))


# ---------------------------------------------------------------------------------------------------------
# Milestones and phase
# ---------------------------------------------------------------------------------------------------------

def phase_from_milestones(project: Project) -> str:
    """The batch a project belongs in: the furthest milestone actually reached."""
    reached = [m for m in project.milestones if m.actual_on is not None]
    if not reached:
        return "planned"
    furthest = max(reached, key=lambda m: MILESTONES.index(m.kind))
    return PHASE_OF_MILESTONE[furthest.kind]


def set_milestone(project: Project, kind: str, *, planned_on: date | None, actual_on: date | None, by: User,
                  note: str | None = None, today: date | None = None) -> Milestone:
    """Change a milestone's planned and actual dates (each change audited); the phase follows."""
    require_edit(by, project)
    if kind not in MILESTONES:
        raise ProjectError(_l("Unknown milestone."))
    today = today or _today()
    if actual_on is not None and actual_on > today:
        raise ProjectError(_l("An actual date cannot be in the future."), field="actual_on")
    milestone = project.milestone(kind)
    if milestone is None:
        milestone = Milestone(kind=kind, position=MILESTONES.index(kind))
        project.milestones.append(milestone)
    _check_order(project, kind, actual_on)
    for name, value in (("planned_on", planned_on), ("actual_on", actual_on)):
        old = getattr(milestone, name)
        if old != value:
            setattr(milestone, name, value)
            _audit(project, "milestone", by=by, field=f"{kind}.{name}", old=old, new=value, note=note)
    phase = phase_from_milestones(project)
    if phase != project.phase:
        _audit(project, "field", by=by, field="phase", old=project.phase, new=phase)
        project.phase = phase
    project.updated_at = utcnow()
    db.session.flush()
    return milestone


def _check_order(project: Project, kind: str, actual_on: date | None) -> None:
    """Actual dates follow the milestones' order: nothing completes before it starts."""
    if actual_on is None:
        return
    position = MILESTONES.index(kind)
    for other in project.milestones:
        if other.actual_on is None or other.kind == kind:
            continue
        earlier = MILESTONES.index(other.kind) < position
        if (earlier and other.actual_on > actual_on) or (not earlier and other.actual_on < actual_on):
            from crm.projects.vocabulary import MILESTONE_KINDS

            raise ProjectError(_l("%(this)s cannot be dated before %(other)s (%(date)s) is reached.",
                                  this=MILESTONE_KINDS.label(kind if earlier else other.kind),
                                  other=MILESTONE_KINDS.label(other.kind if earlier else kind),
                                  date=other.actual_on.isoformat()), field="actual_on")


# ---------------------------------------------------------------------------------------------------------
# Capital in place
# ---------------------------------------------------------------------------------------------------------

def record_capital(project: Project, year: int, quarter: int, amount_wan: Decimal, *, by: User,
                   note: str | None = None, today: date | None = None) -> CapitalRecord:
    """Record capital in place for one quarter; recording the quarter again corrects it (audited)."""
    require_edit(by, project)
    today = today or _today()
    if quarter not in (1, 2, 3, 4):
        raise ProjectError(_l("The quarter is 1 to 4."), field="quarter")
    if (year, quarter) > (today.year, (today.month - 1) // 3 + 1) or year < 2000:
        raise ProjectError(_l("Capital can be recorded for past quarters and this one only."), field="year")
    if amount_wan is None or amount_wan < 0:
        raise ProjectError(_l("Enter an amount of 0 or more."), field="amount_wan")
    record = db.session.scalar(select(CapitalRecord).where(
        CapitalRecord.project_id == project.id, CapitalRecord.year == year, CapitalRecord.quarter == quarter))
    old = record.amount_wan if record else None
    if record is None:
        record = CapitalRecord(project_id=project.id, year=year, quarter=quarter, amount_wan=amount_wan)
        db.session.add(record)
    elif record.amount_wan == amount_wan:
        return record
    record.amount_wan = amount_wan
    record.note = note or record.note
    record.user_id = by.id if by else None
    record.at = utcnow()
    _audit(project, "capital", by=by, field=f"{year}Q{quarter}", old=old, new=amount_wan, note=note)
    db.session.flush()
    return record


# ---------------------------------------------------------------------------------------------------------
# Problems (一单四制)
# ---------------------------------------------------------------------------------------------------------

def add_problem(project: Project, *, title: str, category: str, department: str, due_on: date, by: User,
                responsible: str | None = None) -> Problem:
    """Put a problem on the project's list, with a responsible department and a due date."""
    require_edit(by, project)
    if category not in PROBLEM_CATEGORIES:
        raise ProjectError(_l("Choose one of the listed options."), field="category")
    if not (title or "").strip() or not (department or "").strip():
        raise ProjectError(_l("Describe the problem and name the responsible department."))
    if due_on is None:
        raise ProjectError(_l("Set a due date."), field="due_on")
    problem = Problem(project_id=project.id, title=title.strip(), category=category,
                      department=department.strip(), responsible=(responsible or "").strip() or None,
                      due_on=due_on, status="open", raised_by_id=by.id if by else None, raised_at=utcnow())
    db.session.add(problem)
    db.session.flush()
    _audit(project, "problem", by=by, field="problem", new=problem.title,
           note=f"{category} · {problem.department} · {due_on.isoformat()}")
    db.session.flush()
    return problem


def update_problem(problem: Problem, *, status: str, by: User, follow_up: str | None = None,
                   due_on: date | None = None) -> None:
    """Follow a problem up: its status, a note on what was done, a new due date."""
    project = problem.project
    require_edit(by, project)
    if status not in PROBLEM_STATUSES:
        raise ProjectError(_l("Choose one of the listed options."), field="status")
    if status != problem.status:
        _audit(project, "problem", by=by, field="problem.status", old=problem.status, new=status,
               note=problem.title)
        problem.status = status
        problem.resolved_at = utcnow() if status == "resolved" else None
    if due_on is not None and due_on != problem.due_on:
        _audit(project, "problem", by=by, field="problem.due_on", old=problem.due_on, new=due_on,
               note=problem.title)
        problem.due_on = due_on
    if follow_up and follow_up.strip():
        stamp = utcnow().strftime("%Y-%m-%d")
        entry = f"[{stamp} {by.name if by else ''}] {follow_up.strip()}"
        problem.follow_up = f"{problem.follow_up}\n{entry}" if problem.follow_up else entry
        _audit(project, "problem", by=by, field="problem.follow_up", new=follow_up.strip(), note=problem.title)
    db.session.flush()
