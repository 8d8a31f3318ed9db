"""JSON API v1: the project register and the site inventory (read-only)."""

from flask import g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from crm.api import bp
from crm.api.auth import api_error, token_required
from crm.api.schemas import milestone_json, site_json
from crm.api.views import MAX_ID, MAX_PAGE, MAX_PER_PAGE
from crm.core.formatting import local_today
from crm.core.forms import clean_text
from crm.extensions import db
from crm.projects import queries as projects
from crm.projects.api import project_json
from crm.projects.models import Project
from crm.projects.vocabulary import FLAGS, PHASES
from crm.sites import queries as sites
from crm.sites.models import Site
from crm.sites.vocabulary import SITE_KINDS, SITE_STATUSES

SITE_STATUS_FILTERS = (*SITE_STATUSES.codes, "free")


def page_args() -> tuple[int, int]:
    """page and per_page from the query string, clamped like /api/v1/leads: odd values are not errors."""
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    per_page = min(max(request.args.get("per_page", 50, type=int) or 50, 1), MAX_PER_PAGE)
    return page, per_page


def _text_arg(name: str, limit: int = 100) -> str:
    return clean_text(request.args.get(name, ""))[:limit]


def _code_arg(name: str, allowed, errors: dict) -> str:
    """A filter that must be one of `allowed` codes (or absent); an unknown one is reported in `errors`."""
    value = request.args.get(name, "")
    if value and value not in allowed:
        errors[name] = [_("Unknown value; use one of: %(codes)s.", codes=", ".join(allowed))]
        return ""
    return value


@bp.get("/projects")
@token_required
def list_projects():
    """The project register, paginated, filtered by phase, flag, industry and a search."""
    errors = {}
    phase = _code_arg("phase", PHASES.codes, errors)
    flag = _code_arg("flag", FLAGS.codes, errors)
    sort = _code_arg("sort", projects.SORTS, errors) or "code"
    if errors:
        return api_error(422, _("Some values are not valid."), errors)
    page, per_page = page_args()
    filters = projects.ProjectFilters(phase=phase, flag=flag, industry=_text_arg("industry", 40), q=_text_arg("q"),
                                      sort=sort, reader=g.api_user)
    today = local_today()
    year = projects.last_full_year(today)
    result = projects.register_page(filters, today, page=page, per_page=per_page)
    items = [project_json(row.project, projects.Figures(
        year=year, realised=row.realised, tax_per_mu=row.tax_per_mu, under_delivering=row.under_delivering,
        in_production_full_year=False)) for row in result.items]
    return jsonify(items=items, total=result.total, page=result.page, per_page=result.per_page)


@bp.get("/projects/<int:project_id>")
@token_required
def get_project(project_id):
    """One project with its tax figures and milestones."""
    project = db.session.get(Project, project_id) if 0 < project_id <= MAX_ID else None
    if project is None:
        return api_error(404, _("No project with this id."))
    data = project_json(project, today=local_today())
    data["milestones"] = [milestone_json(m) for m in project.milestones]
    data["site_ids"] = list(db.session.scalars(select(Site.id).where(Site.project_id == project.id)
                                               .order_by(Site.code)))
    data["lead_id"] = project.lead_id
    return jsonify(data)


@bp.get("/sites")
@token_required
def list_sites():
    """The site inventory, paginated, filtered by kind, status, park and a search."""
    errors = {}
    kind = _code_arg("kind", SITE_KINDS.codes, errors)
    status = _code_arg("status", SITE_STATUS_FILTERS, errors)
    if errors:
        return api_error(422, _("Some values are not valid."), errors)
    page, per_page = page_args()
    filters = sites.SiteFilters(q=_text_arg("q"), kind=kind, status=status, park=_text_arg("park"))
    result = sites.site_page(filters, local_today(), page, per_page)
    return jsonify(items=[site_json(site) for site in result.items], total=result.total, page=result.page,
                   per_page=result.per_page)


@bp.get("/sites/<int:site_id>")
@token_required
def get_site(site_id):
    """One site."""
    site = db.session.get(Site, site_id) if 0 < site_id <= MAX_ID else None
    if site is None:
        return api_error(404, _("No site with this id."))
    return jsonify(site_json(site))
