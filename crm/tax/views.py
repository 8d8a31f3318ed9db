"""Tax pages: upload the tax office's spreadsheet, confirm name matches, export the tax summary."""

from io import BytesIO

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crm.core import spreadsheets as sheets
from crm.core.access import manager_required
from crm.core.formatting import local_today
from crm.extensions import db
from crm.privacy import visibility
from crm.projects import queries as project_queries
from crm.projects.models import Project
from crm.projects.vocabulary import PHASES
from crm.sites.uploads import too_large
from crm.tax import bp, services
from crm.tax.forms import NameMatchForm, TaxUploadForm
from crm.tax.models import TaxImport

bp.register_error_handler(413, too_large)


def _recent_imports(limit: int = 20) -> list[TaxImport]:
    return list(db.session.scalars(select(TaxImport).order_by(TaxImport.at.desc(), TaxImport.id.desc()).limit(limit)))


def _render_index(form, *, status: int = 200, **context):
    return render_template("tax/index.html", form=form, imports=_recent_imports(),
                           columns=services.columns(), waiting=services.count_name_candidates(), **context), status


@bp.get("")
@manager_required
def index():
    """Upload the tax office's spreadsheet; recent imports; the name matches waiting."""
    return _render_index(TaxUploadForm())


@bp.post("")
@manager_required
def upload():
    """Import a tax spreadsheet: all rows or none, every bad row reported; the same file twice is a no-op."""
    form = TaxUploadForm()
    if not form.validate_on_submit():
        return _render_index(form, status=400)
    upload_file = form.file.data
    try:
        report = services.import_tax(upload_file, upload_file.filename or "", by=current_user,
                                     limits=sheets.Limits(max_bytes=current_app.config.get("MAX_CONTENT_LENGTH")
                                                          or 20 * 2**20))
        db.session.commit()
    except sheets.SpreadsheetError as err:
        db.session.rollback()
        return _render_index(form, status=400, refused=str(err))
    except services.TaxImportRefused as err:
        db.session.rollback()
        return _render_index(form, status=422, report=err.report)
    return render_template("tax/result.html", report=report, waiting=services.count_name_candidates())


@bp.get("/matches")
@manager_required
def matches():
    """Taxpayers matching a project by name only: confirm or reject each."""
    return render_template("tax/matches.html", candidates=services.name_candidates(), form=NameMatchForm())


@bp.post("/matches/<decision>")
@manager_required
def decide(decision):
    """Confirm (link the taxpayer's records to the project) or reject a name match."""
    form = NameMatchForm()
    if decision not in ("confirm", "reject") or not form.validate_on_submit():
        flash(_("Choose one of the listed options."), "danger")
        return redirect(url_for("tax.matches"), code=303)
    project = db.get_or_404(Project, form.project_id.data)
    try:
        if decision == "confirm":
            linked = services.confirm_name_match(form.taxpayer.data, project, by=current_user)
            flash(_("%(n)s tax records linked to %(project)s.", n=linked,
                    project=visibility.visible_project_name(current_user, project)), "success")
        else:
            services.reject_name_match(form.taxpayer.data, project, by=current_user)
            flash(_("Marked as a different company."), "info")
        db.session.commit()
    except services.TaxMatchError as err:
        db.session.rollback()
        flash(str(err), "danger")
    return redirect(url_for("tax.matches"), code=303)


@bp.get("/export.xlsx")
@login_required
def export():
    """Tax summary per project (the register's filters apply): realised tax per year, promise, tax per mu."""
    today = local_today()
    filters = project_queries.filters_from_args(request.args, reader=current_user)
    last = project_queries.last_full_year(today)
    years = list(range(last - 3, today.year + 1))
    with force_locale("zh_CN"):
        headers = [_("Project code"), _("Project name"), _("Investor company"), _("Unified social credit code"),
                   _("Phase"), _("Land (mu)"), _("Promised annual tax (10k yuan)")] + [
            _("Realised tax %(year)s (10k yuan)", year=y) for y in years] + [
            _("Tax per mu %(year)s (10k yuan)", year=last), _("Share of promise %(year)s", year=last),
            _("Under-delivering")]
        phases = {code: PHASES.label(code) for code in PHASES}
        yes, no = _("Yes"), _("No")

    def rows():
        query = project_queries.with_lead_circle(project_queries.tax_summary_query(filters, today, years))
        for row in db.session.execute(query.limit(100_000)):
            project = row[0]
            realised = row.realised
            share = (float(realised) / float(project.promised_tax_wan)
                     if realised is not None and project.promised_tax_wan else None)
            # A confidential lead's project is named as the reader may see it, as on the register.
            yield [project.code, *(visibility.visible_project_value(current_user, project, field)
                                   for field in ("name", "company_name", "credit_code")),
                   phases.get(project.phase, project.phase), project.land_mu, project.promised_tax_wan] + [
                getattr(row, f"y{y}") for y in years] + [
                row.tax_per_mu, round(share, 4) if share is not None else None, yes if row.under else no]

    data = sheets.write_xlsx(headers, rows(), title="税收汇总")
    return send_file(BytesIO(data), download_name=f"tax-summary-{today.isoformat()}.xlsx", as_attachment=True,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
