"""Site pages: inventory list, a site, create/edit, status, reserve/release, import, export, lead matches."""

from datetime import timedelta
from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from crm.core import spreadsheets as sheets
from crm.core.access import manager_required
from crm.core.formatting import local_today
from crm.extensions import db
from crm.leads.models import Lead
from crm.leads.services import can_edit
from crm.sites import bp, matching, queries, services
from crm.sites.forms import ImportForm, ReleaseForm, ReserveForm, SiteForm, StatusForm
from crm.sites.models import Site
from crm.sites.uploads import too_large
from crm.sites.vocabulary import SITE_FIELD_LABELS, SITE_KINDS, SITE_STATUSES

EXPORT_FIELDS = ("code", "name", "kind", "park", "address", "area_m2", "land_mu", "floors", "ceiling_height_m",
                 "floor_load_t_m2", "power_kva", "rent_yuan_m2_month", "price_wan", "status", "reserved_for_id",
                 "reserved_until", "project_id", "note")


bp.register_error_handler(413, too_large)


def _filters() -> queries.SiteFilters:
    args = request.args
    return queries.SiteFilters(q=args.get("q", "")[:100], kind=args.get("kind", ""), status=args.get("status", ""),
                               park=args.get("park", "")[:100], min_size=args.get("min_size", "")[:20],
                               max_size=args.get("max_size", "")[:20], sort=args.get("sort", "code"))


@bp.get("")
@login_required
def index():
    """The inventory: filter by kind, status, park and size."""
    filters = _filters()
    page = queries.site_page(filters, local_today(), request.args.get("page", 1, type=int))
    return render_template("sites/index.html", page=page, filters=filters, parks=queries.parks(),
                           counts=queries.status_counts(), today=local_today())


@bp.route("/new", methods=["GET", "POST"])
@manager_required
def new():
    """A manager adds a site to the inventory."""
    form = SiteForm()
    if form.validate_on_submit():
        try:
            site = services.create_site(form.site_values(), by=current_user)
        except services.SiteError as err:
            db.session.rollback()
            _field_error(form, err)
            return render_template("sites/form.html", form=form, site=None, parks=queries.parks()), 400
        db.session.commit()
        flash(_("Site %(code)s added.", code=site.code), "success")
        return redirect(url_for("sites.detail", site_id=site.id))
    return render_template("sites/form.html", form=form, site=None, parks=queries.parks()), (
        400 if form.errors else 200)


def _field_error(form, err: services.SiteError) -> None:
    target = getattr(form, err.field, None) if err.field else None
    if target is not None:
        target.errors = list(target.errors) + [str(err)]
    else:
        flash(str(err), "danger")


@bp.get("/<int:site_id>")
@login_required
def detail(site_id):
    """A site with its reservation, its project and its audit trail."""
    site = db.get_or_404(Site, site_id)
    return render_template("sites/detail.html", site=site, events=queries.site_events(site),
                           status_form=StatusForm(status=site.status if site.status in services.MANUAL_STATUSES
                                                  else "available"),
                           release_form=ReleaseForm(), today=local_today(),
                           annual_rent=matching.annual_rent_wan(site),
                           may_release=site.reserved_for is not None and (
                               current_user.is_manager or can_edit(current_user, site.reserved_for)))


@bp.route("/<int:site_id>/edit", methods=["GET", "POST"])
@manager_required
def edit(site_id):
    """Edit a site; a colleague's save in between is reported, not overwritten."""
    site = db.get_or_404(Site, site_id)
    if request.method == "GET":
        form = SiteForm(obj=site)
        form.version.data = site.version
        return render_template("sites/form.html", form=form, site=site, parks=queries.parks())
    form = SiteForm()
    if not form.validate_on_submit():
        return render_template("sites/form.html", form=form, site=site, parks=queries.parks()), 400
    expected = int(form.version.data) if (form.version.data or "").isdigit() else None
    try:
        changed = services.update_site(site, form.site_values(), by=current_user, expected_version=expected)
        db.session.commit()
    except (services.SiteVersionConflict, StaleDataError):
        db.session.rollback()
        site = db.session.get(Site, site_id)
        form.version.data = site.version
        flash(_("Someone else changed this site while you were editing it. Their version is shown below "
                "the form; check it and save again."), "warning")
        return render_template("sites/form.html", form=form, site=site, parks=queries.parks(),
                               conflict=True), 409
    except services.SiteError as err:
        db.session.rollback()
        _field_error(form, err)
        return render_template("sites/form.html", form=form, site=site, parks=queries.parks()), 400
    flash(_("Saved.") if changed else _("Nothing changed."), "success" if changed else "info")
    return redirect(url_for("sites.detail", site_id=site.id))


@bp.post("/<int:site_id>/status")
@manager_required
def set_status(site_id):
    """A manager marks a site available, let or sold by hand."""
    site = db.get_or_404(Site, site_id)
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the listed options."), "danger")
        return redirect(url_for("sites.detail", site_id=site.id))
    try:
        services.set_status(site, form.status.data, by=current_user, note=form.note.data or None)
        db.session.commit()
    except services.SiteError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return redirect(url_for("sites.detail", site_id=site_id))
    flash(_("Status updated."), "success")
    return redirect(url_for("sites.detail", site_id=site_id))


def _back_to(lead_id: int | None, site_id: int):
    if lead_id:
        return redirect(url_for("leads.detail", lead_id=lead_id), code=303)
    return redirect(url_for("sites.detail", site_id=site_id), code=303)


@bp.post("/<int:site_id>/reserve")
@login_required
def reserve(site_id):
    """Reserve a site for a lead until a date. Two officers at once: one wins, the other is told why."""
    form = ReserveForm()
    if not form.validate_on_submit():
        message = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return render_template("sites/refused.html", message=message, lead_id=form.lead_id.data,
                               site_id=site_id), 400
    lead = db.get_or_404(Lead, form.lead_id.data)
    if not can_edit(current_user, lead):
        abort(403)
    try:
        site = services.reserve_site(site_id, lead, by=current_user, until=form.until.data, today=local_today(),
                                     note=form.note.data or None)
        db.session.commit()
    except services.ReservationRefused as err:
        db.session.rollback()
        return render_template("sites/refused.html", message=str(err), lead_id=lead.id, site_id=site_id), 409
    except services.SiteError as err:
        db.session.rollback()
        return render_template("sites/refused.html", message=str(err), lead_id=lead.id, site_id=site_id), 422
    flash(_("Site %(code)s is reserved for this lead until %(day)s.", code=site.code,
            day=form.until.data.isoformat()), "success")
    return _back_to(lead.id, site_id)


@bp.post("/<int:site_id>/release")
@login_required
def release(site_id):
    """End a reservation."""
    site = db.get_or_404(Site, site_id)
    lead_id = site.reserved_for_id
    form = ReleaseForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.release_site(site, by=current_user, note=form.note.data or None)
        db.session.commit()
    except services.SiteError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return _back_to(lead_id if request.form.get("back") == "lead" else None, site_id)
    flash(_("Reservation released."), "success")
    return _back_to(lead_id if request.form.get("back") == "lead" else None, site_id)


@bp.get("/matches/<int:lead_id>")
@login_required
def matches_for_lead(lead_id):
    """The lead page's site section (loaded by HTMX): sites reserved for it, and the best available ones."""
    lead = db.get_or_404(Lead, lead_id)
    today = local_today()
    reserved = services.sites_reserved_for(lead)
    project = None
    if lead.stage == "signed":
        from crm.projects.models import Project  # late: the project register builds on sites

        project = db.session.scalar(select(Project).where(Project.lead_id == lead.id))
    return render_template(
        "sites/_matches_list.html", lead=lead, reserved=reserved, project=project,
        matches=matching.matches_for(lead, today) if lead.is_open else [],
        needs=matching.requirements_of(lead), tolerance=int(matching.tolerance() * 100),
        may_reserve=can_edit(current_user, lead) and lead.is_open, today=today,
        default_until=today + timedelta(days=14),
        max_until=today + timedelta(days=services.max_reservation_days()))


@bp.route("/import", methods=["GET", "POST"])
@manager_required
def import_sites():
    """Upload a spreadsheet of sites: all rows are imported, or none (with the reason for each bad row)."""
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("sites/import.html", form=form, columns=services.import_columns()), (
            400 if form.errors else 200)
    upload = form.file.data
    try:
        report = services.import_sites(upload, upload.filename or "", by=current_user)
        db.session.commit()
    except sheets.SpreadsheetError as err:
        db.session.rollback()
        return render_template("sites/import.html", form=form, columns=services.import_columns(),
                               refused=str(err)), 400
    except services.ImportRefused as err:
        db.session.rollback()
        return render_template("sites/import.html", form=form, columns=services.import_columns(),
                               report=err.report), 422
    except services.SiteError as err:
        db.session.rollback()
        return render_template("sites/import.html", form=form, columns=services.import_columns(),
                               refused=str(err)), 400
    flash(_("Imported %(rows)s rows: %(created)s new sites, %(updated)s updated, %(unchanged)s unchanged.",
            rows=report.rows, created=report.created, updated=report.updated, unchanged=report.unchanged),
          "success")
    return redirect(url_for("sites.index"), code=303)


@bp.get("/import/template.xlsx")
@login_required
def import_template():
    """An empty workbook with the import's Chinese headers."""
    headers = [c.aliases[0] for c in services.import_columns()]
    example = ["TY-A3-2", "天易科技城标准厂房A3栋2层", "标准厂房", "天易科技城", "天易大道 88 号", 2400, None, 1, 8.5, 3,
               630, 18, None, "待租", ""]
    data = sheets.write_xlsx(headers, [example], title="房源")
    return send_file(BytesIO(data), download_name="sites-template.xlsx", as_attachment=True,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/export.xlsx")
@login_required
def export():
    """The sites the filters select, as .xlsx with Chinese headers."""
    from flask_babel import force_locale

    filters = _filters()
    query = queries.filtered_sites(filters, local_today())
    with force_locale("zh_CN"):
        headers = [SITE_FIELD_LABELS.label(f) for f in EXPORT_FIELDS]
        kinds = {code: SITE_KINDS.label(code) for code in SITE_KINDS}
        statuses = {code: SITE_STATUSES.label(code) for code in SITE_STATUSES}

    def rows():
        for site in db.session.scalars(query.limit(100_000)).yield_per(1000):
            values = []
            for name in EXPORT_FIELDS:
                value = getattr(site, name)
                if name == "kind":
                    value = kinds.get(value, value)
                elif name == "status":
                    value = statuses.get(value, value)
                elif name == "reserved_for_id" and value:
                    value = site.reserved_for.reference if site.reserved_for else value
                elif name == "project_id" and value:
                    value = site.project.code if site.project else value
                values.append(value)
            yield values

    data = sheets.write_xlsx(headers, rows(), title="房源")
    name = f"sites-{local_today().isoformat()}.xlsx"
    return send_file(BytesIO(data), download_name=name, as_attachment=True,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
