"""The project register (项目库): what signed leads become, their milestones, capital, problems and tax."""

from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects")


@bp.context_processor
def _vocabularies():
    from crm.projects import vocabulary as v
    from crm.sites.vocabulary import SITE_KINDS

    return {"SITE_KINDS": SITE_KINDS, "PHASES": v.PHASES, "MILESTONE_KINDS": v.MILESTONE_KINDS, "FLAGS": v.FLAGS,
            "PROBLEM_CATEGORIES": v.PROBLEM_CATEGORIES, "PROBLEM_STATUSES": v.PROBLEM_STATUSES,
            "PROJECT_FIELD_LABELS": v.PROJECT_FIELD_LABELS}


from crm.projects import views  # noqa: E402,F401
