"""Dashboard and targets pages: read the period, call the queries, render; targets are set by managers."""

from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm import charts
from crm.core.access import manager_required
from crm.core.formatting import local_today
from crm.dashboard import bp, cache, figures, queries
from crm.dashboard import targets as goals
from crm.dashboard.forms import PeriodForm, TargetForm
from crm.dashboard.services import save_target
from crm.extensions import db

CSV_STALE_LIMIT = 5000


def _period_and_stale(today: date) -> tuple[queries.Period, int, PeriodForm, bool]:
    """The period and stale threshold asked for; bad input falls back to the defaults (and says so)."""
    form = PeriodForm(request.args)
    valid = form.validate()
    start = (form.date_from.data if valid else None) or date(today.year, 1, 1)
    end = (form.date_to.data if valid else None) or max(today, start)
    stale_days = (form.stale_days.data if valid else None) or current_app.config["STALE_AFTER_DAYS"]
    return queries.Period(start, end), stale_days, form, valid


@bp.get("/dashboard")
@login_required
def index():
    """The manager's dashboard for a period (default: this year so far)."""
    today = local_today()
    period, stale_days, form, valid = _period_and_stale(today)
    key = ("page", str(get_locale()), period, today, stale_days)
    page, computed_at = cache.remember(
        key, lambda: figures.page(queries.Dashboard(period, today, stale_days)),
        refresh=request.args.get("refresh") == "1")
    return render_template("dashboard/index.html", page=page.for_reader(current_user), form=form, period=period,
                           stale_days=stale_days, show=figures.show, computed_at=computed_at,
                           cache_minutes=cache.ttl_seconds() // 60), 200 if valid else 400


@bp.get("/dashboard/<section>.csv")
@login_required
def csv(section):
    """The numbers behind one dashboard chart, as a CSV download."""
    if section not in figures.BUILDERS:
        abort(404)
    today = local_today()
    period, stale_days, _form, valid = _period_and_stale(today)
    if not valid:
        abort(400)
    data = queries.Dashboard(period, today, stale_days, stale_limit=CSV_STALE_LIMIT)
    table = figures.BUILDERS[section](data).for_reader(current_user)
    name = f"dashboard-{section}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(charts.csv_text(table.headers(), table.csv_rows()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _year_arg(today: date) -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else today.year


@bp.get("/targets")
@login_required
def targets():
    """The year's targets with actual, steady pace and year-end forecast; managers may edit them."""
    today = local_today()
    year = _year_arg(today)
    form = TargetForm(obj=goals.target_for(year), year=year) if current_user.is_manager else None
    return _render_targets(year, today, form)


def _render_targets(year: int, today: date, form, status: int = 200):
    lines = goals.progress(year, today)
    years = sorted(set(goals.target_years()) | {today.year, year}, reverse=True)
    chart = charts.bar_chart(
        [(line.label, tuple(None if line.share(v) is None else round(line.share(v) * 100, 1)
                            for v in (line.actual, line.pace, line.forecast))) for line in lines if line.target],
        series=[_("Actual"), _("Steady pace"), _("Forecast")], max_value=100.0 if all(
            (line.share(line.forecast) or 0) <= 1 for line in lines if line.target) else None,
        value_format=lambda v: "—" if v is None else f"{v:g}%",
        title=_("Progress towards the %(year)s targets, in %% of each target", year=year),
        empty_text=_("No targets set for %(year)s.", year=year))
    return render_template("dashboard/targets.html", year=year, years=years, lines=lines, form=form,
                           chart=chart, fraction=goals.elapsed_fraction(year, today), today=today,
                           target=goals.target_for(year), show=figures.show), status


@bp.post("/targets")
@manager_required
def save_targets():
    """Set (or change) one year's targets."""
    today = local_today()
    form = TargetForm()
    if not form.validate_on_submit():
        year = form.year.data if isinstance(form.year.data, int) and 2000 <= form.year.data <= 2100 else today.year
        return _render_targets(year, today, form, status=400)
    save_target(form.year.data, form.values(), by=current_user)
    db.session.commit()
    flash(_("Targets for %(year)s saved.", year=form.year.data), "success")
    return redirect(url_for("dashboard.targets", year=form.year.data))
