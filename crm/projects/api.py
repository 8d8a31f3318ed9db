"""The project as the JSON API shows it (GET /api/v1/projects, issue 6 wires it in)."""

from datetime import date

from flask import g

from crm.privacy import visibility
from crm.projects import queries
from crm.projects.models import Project
from crm.projects.queries import Figures, project_figures


def _number(value):
    return None if value is None else float(value)


def project_json(project: Project, figures: Figures | None = None, today: date | None = None,
                 viewer=None) -> dict:
    """id, code, name, credit_code, phase, land_mu, investment, promised_tax, realised_tax (last full year,
    万元) and tax_per_mu (万元 per mu). Pass `figures` when listing many projects (one query per page).

    As `viewer` (by default the API token's user) may see it: a confidential lead's project is named by the
    lead's codename, without its credit code, outside the lead's circle (crm.privacy.visibility)."""
    viewer = viewer if viewer is not None else g.get("api_user")
    if figures is None:
        from crm.core.formatting import local_today

        figures = project_figures(project, today or local_today())
    lead = visibility.project_lead(project)
    return {
        "id": project.id,
        "code": project.code,
        "name": visibility.visible_project_name(viewer, project),
        "company_name": visibility.visible_project_company(viewer, project),
        "credit_code": visibility.visible_project_credit_code(viewer, project) or None,
        "is_confidential": bool(lead is not None and lead.is_confidential),
        "phase": project.phase,
        "industry": project.industry_code,
        "land_mu": _number(project.land_mu),
        "investment": _number(project.investment_wan),
        "promised_tax": _number(project.promised_tax_wan),
        "realised_tax": _number(figures.realised),
        "realised_tax_year": figures.year,
        "tax_per_mu": _number(figures.tax_per_mu),
        "under_delivering": figures.under_delivering,
        "flags": {"key": project.is_key, "four_new": project.is_four_new, "500_strong": project.is_500_strong},
        "sponsoring_leader": project.sponsoring_leader,
    }


def projects_json_page(filters: queries.ProjectFilters, today: date, page: int = 1, per_page: int = 50,
                       viewer=None) -> dict:
    """A page of the register as the API lists it: {"items", "total", "page", "per_page"}, the tax figures
    of every item coming from the register's one query (no query per project)."""
    result = queries.register_page(filters, today, page, per_page)
    year = queries.last_full_year(today)
    items = []
    for row in result.items:
        figures = Figures(year=year, realised=row.realised, tax_per_mu=row.tax_per_mu,
                          under_delivering=row.under_delivering,
                          in_production_full_year=row.production_on is not None
                          and row.production_on <= date(year, 1, 1))
        items.append(project_json(row.project, figures, viewer=viewer))
    return {"items": items, "total": result.total, "page": result.page, "per_page": result.per_page}
