"""Moves made on the board: fill in what the stage gate asked for, then move through the lead services.

The gates themselves live in crm.leads.stages and move_lead; the board only gathers the missing data
(an owner, a logged visit, figures, a reason) in the same transaction. The caller commits.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from crm.auth.models import User
from crm.core.database import utcnow
from crm.dashboard import sql
from crm.leads import services
from crm.leads.models import Lead


@dataclass
class GateAnswers:
    """What the inline gate form supplied; every part is optional."""

    owner: User | None = None
    take: bool = False
    visit_on: date | None = None
    visit_outcome: str = ""
    figures: dict[str, Decimal] | None = None
    reason: str | None = None


def visit_time(day: date) -> datetime:
    """When a visit logged for `day` happened: now if it is today, else noon of that day in the zone."""
    now = utcnow()
    noon = sql.local_start_utc(day) + timedelta(hours=12)
    return min(noon, now)


def move_from_board(lead: Lead, stage: str, *, by: User, answers: GateAnswers | None = None) -> Lead:
    """Apply the gate answers (owner, visit, figures, reason), then move the lead. Raises what the lead
    services raise: LeadPermissionError, PipelineError (with .missing when something is still lacking)."""
    services.require_edit(by, lead)
    answers = answers or GateAnswers()
    if answers.owner is not None:
        services.assign_lead(lead, answers.owner, by=by)
    elif answers.take and lead.owner_id is None:
        services.claim_lead(lead, by=by)
    if answers.visit_on is not None:
        services.log_activity(lead, kind="visit", outcome=answers.visit_outcome, by=by,
                              occurred_at=visit_time(answers.visit_on))
    figures = {k: v for k, v in (answers.figures or {}).items() if v is not None}
    return services.move_lead(lead, stage, by=by, reason=answers.reason, figures=figures or None)
