"""The pipeline's stages and the gates a lead must pass to enter each one."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.core.vocabulary import STAGES
from crm.extensions import db

PIPELINE = ("enquiry", "contacted", "site_visit", "negotiation", "signed")
SIDE_STAGES = ("on_hold", "lost")

# What each missing piece is called when a gate says no (also the board's inline form fields).
GATE_FIELDS = {
    "owner_id": _l("an owner"),
    "visit": _l("at least one logged site visit"),
    "planned_investment_wan": _l("planned investment"),
    "area": _l("land or floor area"),
    "expected_tax_wan": _l("expected annual tax"),
    "lost_reason": _l("a reason for losing the lead"),
}


class PipelineError(Exception):
    """A stage change the pipeline rules do not allow. `missing` names what the gate still needs."""

    def __init__(self, message, missing: tuple[str, ...] = ()):
        super().__init__(str(message))
        self.message = message
        self.missing = missing

    def __str__(self) -> str:
        return str(self.message)


def probability(stage: str) -> float:
    return float(current_app.config["STAGE_PROBABILITIES"].get(stage, 0))


def position(stage: str) -> int:
    return PIPELINE.index(stage) if stage in PIPELINE else -1


def missing_for(lead, stage: str) -> list[str]:
    """What the lead lacks to enter `stage`. Gates are cumulative along the pipeline: a lead signed
    straight from enquiry still needs an owner and a visit."""
    from crm.leads.models import Activity

    missing = []
    target = position(stage)
    if stage == "lost":
        if not (lead.lost_reason or "").strip():
            missing.append("lost_reason")
        return missing
    if stage == "on_hold":
        return missing
    if target >= position("contacted") and lead.owner_id is None:
        missing.append("owner_id")
    if target >= position("site_visit"):
        has_visit = db.session.scalar(
            select(Activity.id).where(Activity.lead_id == lead.id, Activity.kind == "visit").limit(1))
        if has_visit is None:
            missing.append("visit")
    if target >= position("signed"):
        if lead.planned_investment_wan is None:
            missing.append("planned_investment_wan")
        if lead.land_mu is None and lead.floor_area_m2 is None:
            missing.append("area")
        if lead.expected_tax_wan is None:
            missing.append("expected_tax_wan")
    return missing


def check_transition(lead, stage: str) -> None:
    """Raise PipelineError unless `lead` may move to `stage` now."""
    if stage not in STAGES:
        raise PipelineError(_l("Unknown stage."))
    if stage == lead.stage:
        raise PipelineError(_l("The lead is already in this stage."))
    if lead.stage == "signed":
        raise PipelineError(_l("A signed lead has become a project; its stage can no longer change."))
    missing = missing_for(lead, stage)
    if missing:
        needs = "、".join(str(GATE_FIELDS[m]) for m in missing) if _is_zh() else ", ".join(
            str(GATE_FIELDS[m]) for m in missing)
        raise PipelineError(
            _l("To move to %(stage)s the lead still needs: %(needs)s.", stage=STAGES.label(stage), needs=needs),
            missing=tuple(missing))


def _is_zh() -> bool:
    from flask_babel import get_locale

    locale = get_locale()
    return bool(locale) and locale.language == "zh"
