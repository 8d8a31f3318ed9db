"""PDF downloads: load, check access, let the service render, send the bytes."""

from io import BytesIO

from flask import abort, request, send_file
from flask_login import current_user, login_required

from crm.briefs import bp, services
from crm.core.access import manager_required
from crm.core.formatting import local_today
from crm.extensions import db
from crm.leads.models import Lead


def _send(pdf: bytes, name: str):
    response = send_file(BytesIO(pdf), mimetype="application/pdf", download_name=name, as_attachment=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/leads/<int:lead_id>/brief.pdf")
@login_required
def lead_brief(lead_id):
    """The lead brief; every signed-in user who can see the lead may print it (contact masked for some)."""
    lead = db.get_or_404(Lead, lead_id)
    locale = services.brief_locale(request.args.get("lang"))
    pdf = services.lead_brief(lead, reader=current_user, locale=locale)
    return _send(pdf, f"{lead.reference}-brief.pdf")


@bp.get("/projects/<int:project_id>/brief.pdf")
@login_required
def project_brief(project_id):
    """The project brief: figures, milestones planned vs actual, tax realised vs promised."""
    try:
        from crm.projects.models import Project
    except ImportError:  # the project register is not installed
        abort(404)
    project = db.get_or_404(Project, project_id)
    locale = services.brief_locale(request.args.get("lang"))
    pdf = services.project_brief(project, reader=current_user, locale=locale)
    return _send(pdf, f"{project.code}-brief.pdf")


@bp.get("/reports/pipeline.pdf")
@manager_required
def pipeline_report():
    """The weekly scheduling meeting's pipeline report (managers and admins)."""
    locale = services.brief_locale(request.args.get("lang"))
    pdf = services.pipeline_report(reader=current_user, locale=locale)
    return _send(pdf, f"pipeline-{local_today().isoformat()}.pdf")
