"""Project pages: the register with its five batches, a project, its milestones, capital, problems, export."""

from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from crm.core import spreadsheets as sheets
from crm.core.access import manager_required
from crm.core.formatting import local_today
from crm.extensions import db
from crm.leads import industries
from crm.leads import queries as lead_queries
from crm.privacy import visibility
from crm.projects import bp, queries, services
from crm.projects.forms import CapitalForm, MilestoneForm, ProblemForm, ProblemUpdateForm, ProjectForm
from crm.projects.models import MILESTONES, Problem, Project
from crm.projects.vocabulary import PHASES, PROJECT_FIELD_LABELS

try:  # the shared SVG charts (crm/charts); the page shows a table alone without them
    from crm.charts import bar_chart
except ImportError:  # pragma: no cover
    bar_chart = None


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "zh"


def _filters() -> queries.ProjectFilters:
    return queries.filters_from_args(request.args, reader=current_user)


def _reader(user):
    return current_user if user is None else user


# Globals, so any page or PDF naming a project (the brief, a site's page) shows it as its reader may see it:
# a confidential lead's project by the lead's codename outside the lead's circle (crm.privacy.visibility).
@bp.app_template_global()
def project_name(project, user=None) -> str:
    return visibility.visible_project_name(_reader(user), project)


@bp.app_template_global()
def project_company(project, user=None) -> str:
    return visibility.visible_project_company(_reader(user), project)


@bp.app_template_global()
def project_credit_code(project, user=None) -> str:
    return visibility.visible_project_credit_code(_reader(user), project)


@bp.app_template_global()
def project_field(project, field, value, user=None):
    """An old or new value in the project's history, judged like the field itself."""
    return visibility.visible_project_audited(_reader(user), project, field, value)


def _year(today) -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= today.year + 1 else today.year


@bp.get("")
@login_required
def index():
    """The register: five batches as tabs, filters, rates for the year, stalled and escalated projects."""
    today = local_today()
    filters = _filters()
    year = _year(today)
    page = queries.register_page(filters, today, request.args.get("page", 1, type=int))
    return render_template(
        "projects/index.html", page=page, filters=filters, today=today, year=year,
        tax_year=queries.last_full_year(today), counts=queries.phase_counts(filters, today),
        flags=queries.flag_counts(today), rates=queries.year_rates(year, today),
        stalled=queries.stalled_lists(today), leaders=queries.leaders(), industries=industries.active_choices())


@bp.get("/stalled/<kind>")
@login_required
def stalled(kind):
    """One stalled list in full."""
    if kind not in queries.STALLED:
        abort(404)
    today = local_today()
    rows = db.session.execute(queries.stalled_query(kind, today).limit(1000)).all()
    return render_template("projects/stalled.html", kind=kind, rows=rows, today=today)


def _project_or_404(project_id: int) -> Project:
    return db.get_or_404(Project, project_id)


def _editable_or_403(project_id: int) -> Project:
    project = _project_or_404(project_id)
    if not services.can_edit_project(current_user, project):
        abort(403)
    return project


@bp.get("/<int:project_id>")
@login_required
def detail(project_id):
    """A project: figures, milestones planned vs actual, capital in place, problems, tax and its trend."""
    return _render_detail(_project_or_404(project_id))


def _render_detail(project: Project, *, status: int = 200, capital_form=None, problem_form=None):
    today = local_today()
    figures = queries.project_figures(project, today)
    by_year = queries.tax_by_year(project.id)
    by_quarter = queries.tax_by_quarter(project.id)
    chart = None
    if bar_chart is not None and by_quarter:
        from crm.core.formatting import number

        chart = bar_chart([(f"{y}Q{q}", float(v)) for y, q, v in by_quarter[-16:]], horizontal=False,
                          title=_("Tax per quarter (10k yuan)"), value_format=number, width=720,
                          chart_id=f"tax-{project.id}")
    capital_total = queries.capital_total(project.id)
    return render_template(
        "projects/detail.html", project=project, today=today, figures=figures, tax_by_year=by_year,
        tax_by_quarter=by_quarter, chart=chart, capital=queries.capital_by_quarter(project.id),
        capital_total=capital_total,
        capital_share=(capital_total / project.investment_wan) if project.investment_wan else None,
        can_edit=services.can_edit_project(current_user, project), milestone_kinds=MILESTONES,
        sees_identity=visibility.sees_project_identity(current_user, project),
        capital_form=capital_form or CapitalForm(year=today.year, quarter=str((today.month - 1) // 3 + 1)),
        problem_form=problem_form or ProblemForm(), update_form=ProblemUpdateForm(),
        milestone_form=MilestoneForm(), share=queries.UNDER_DELIVERY_SHARE), status


def _project_form(**kwargs) -> ProjectForm:
    form = ProjectForm(**kwargs)
    form.set_choices(industries.active_choices(), lead_queries.active_users(), _language())
    return form


@bp.route("/new", methods=["GET", "POST"])
@manager_required
def new():
    """A manager adds a planned project (谋划) or one signed outside the pipeline."""
    form = _project_form()
    if form.validate_on_submit():
        try:
            project = services.create_project(form.project_values(manager=True), by=current_user)
        except services.ProjectError as err:
            db.session.rollback()
            flash(str(err), "danger")
            return render_template("projects/form.html", form=form, project=None), 400
        db.session.commit()
        flash(_("Project %(code)s added.", code=project.code), "success")
        return redirect(url_for("projects.detail", project_id=project.id))
    return render_template("projects/form.html", form=form, project=None), 400 if form.errors else 200


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit(project_id):
    """Edit a project's figures and flags; a colleague's save in between is reported, not overwritten."""
    project = _editable_or_403(project_id)
    if not visibility.sees_project_identity(current_user, project):
        abort(403)  # the form holds the investor's name, company and credit code
    if request.method == "GET":
        form = _project_form(obj=project)
        form.version.data = project.version
        form.owner_id.data = str(project.owner_id or "")
        return render_template("projects/form.html", form=form, project=project)
    form = _project_form()
    if not form.validate_on_submit():
        return render_template("projects/form.html", form=form, project=project), 400
    expected = int(form.version.data) if (form.version.data or "").isdigit() else None
    try:
        changed = services.update_project(project, form.project_values(manager=current_user.is_manager),
                                          by=current_user, expected_version=expected)
        db.session.commit()
    except (services.ProjectVersionConflict, StaleDataError):
        db.session.rollback()
        project = db.session.get(Project, project_id)
        form.version.data = project.version
        flash(_("Someone else changed this project while you were editing it. Check the saved version "
                "below and save again."), "warning")
        return render_template("projects/form.html", form=form, project=project, conflict=True), 409
    except services.ProjectError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return render_template("projects/form.html", form=form, project=project), 403
    flash(_("Saved.") if changed else _("Nothing changed."), "success" if changed else "info")
    return redirect(url_for("projects.detail", project_id=project.id))


@bp.post("/<int:project_id>/milestones/<kind>")
@login_required
def milestone(project_id, kind):
    """Change a milestone's planned and actual dates (audited)."""
    project = _editable_or_403(project_id)
    if kind not in MILESTONES:
        abort(404)
    form = MilestoneForm()
    if not form.validate_on_submit():
        flash(_("Enter dates as 2026-03-31."), "danger")
        return _render_detail(project, status=400)
    return _save(project, lambda: services.set_milestone(
        project, kind, planned_on=form.planned_on.data, actual_on=form.actual_on.data, by=current_user,
        note=form.note.data or None), done=_("Milestone updated."), anchor="milestones")


@bp.post("/<int:project_id>/capital")
@login_required
def capital(project_id):
    """Record capital in place for a quarter."""
    project = _editable_or_403(project_id)
    form = CapitalForm()
    if not form.validate_on_submit():
        return _render_detail(project, status=400, capital_form=form)
    return _save(project, lambda: services.record_capital(
        project, form.year.data, int(form.quarter.data), form.amount_wan.data, by=current_user,
        note=form.note.data or None), done=_("Capital in place recorded."), anchor="capital", capital_form=form)


@bp.post("/<int:project_id>/problems")
@login_required
def add_problem(project_id):
    """Put a problem on the project's list (一单四制)."""
    project = _editable_or_403(project_id)
    form = ProblemForm()
    if not form.validate_on_submit():
        return _render_detail(project, status=400, problem_form=form)
    return _save(project, lambda: services.add_problem(
        project, title=form.title.data, category=form.category.data, department=form.department.data,
        responsible=form.responsible.data, due_on=form.due_on.data, by=current_user),
        done=_("Problem recorded."), anchor="problems", problem_form=form)


@bp.post("/<int:project_id>/problems/<int:problem_id>")
@login_required
def update_problem(project_id, problem_id):
    """Follow a problem up: status, what was done, a new due date."""
    project = _editable_or_403(project_id)
    problem = db.get_or_404(Problem, problem_id)
    if problem.project_id != project.id:
        abort(404)
    form = ProblemUpdateForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the listed options."), "danger")
        return _render_detail(project, status=400)
    return _save(project, lambda: services.update_problem(
        problem, status=form.status.data, follow_up=form.follow_up.data, due_on=form.due_on.data, by=current_user),
        done=_("Problem updated."), anchor="problems")


def _save(project: Project, write, *, done: str, anchor: str, **forms):
    """Run a project service and commit, then back to its section of the page; a refusal (ProjectError) is
    rolled back and shown on the page again, next to the form that was sent (`forms`)."""
    project_id = project.id
    try:
        write()
        db.session.commit()
    except services.ProjectError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return _render_detail(db.session.get(Project, project_id), status=422, **forms)
    flash(done, "success")
    return redirect(url_for("projects.detail", project_id=project_id, _anchor=anchor), code=303)


EXPORT_FIELDS = ("code", "name", "company_name", "credit_code", "industry_code", "phase", "investment_wan",
                 "land_mu", "promised_tax_wan", "talents", "is_key", "is_four_new", "is_500_strong",
                 "sponsoring_leader")


@bp.get("/export.xlsx")
@login_required
def export():
    """The register as filtered, as .xlsx with Chinese headers and the tax figures."""
    today = local_today()
    filters = _filters()
    year = queries.last_full_year(today)
    with force_locale("zh_CN"):
        headers = [PROJECT_FIELD_LABELS.label(f) for f in EXPORT_FIELDS] + [
            _("Realised tax %(year)s (10k yuan)", year=year), _("Tax per mu %(year)s (10k yuan)", year=year),
            _("Under-delivering"), _("Overdue problems"), _("Late milestones")]
        phases = {code: PHASES.label(code) for code in PHASES}
        yes, no = _("Yes"), _("No")
    industry_names = {i.code: i.name_zh for i in industries.active_choices()}

    def rows():
        for row in queries.register_rows(filters, today):
            project = row[0]
            values = []
            for name in EXPORT_FIELDS:
                value = visibility.visible_project_value(current_user, project, name)
                if name == "phase":
                    value = phases.get(value, value)
                elif name == "industry_code":
                    value = industry_names.get(value, value)
                elif isinstance(value, bool):
                    value = yes if value else no
                values.append(value)
            values += [row.realised, row.tax_per_mu, yes if row.under else no, row.overdue, row.late]
            yield values

    data = sheets.write_xlsx(headers, rows(), title="项目库")
    return send_file(BytesIO(data), download_name=f"projects-{today.isoformat()}.xlsx", as_attachment=True,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
