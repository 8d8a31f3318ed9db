"""Lead import pages: upload, column mapping, preview with collision choices, and the import's record."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.core import spreadsheets as sheets
from crm.extensions import db
from crm.imports import bp, fields, queries, services
from crm.imports.forms import MappingForm, PreviewForm, UploadForm, column_choices, row_choices
from crm.imports.models import LeadImport
from crm.leads import queries as lead_queries

SHOWS = ("attention", "error", "collision", "duplicate", "new", "all")
OUTCOMES = ("all", "created", "merged", "skipped", "error")


def _import_or_403(import_id: int) -> LeadImport:
    lead_import = db.get_or_404(LeadImport, import_id)
    if not services.can_use(current_user, lead_import):
        abort(403)
    return lead_import


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "zh"


def _page() -> int:
    return request.args.get("page", 1, type=int)


@bp.get("")
@login_required
def index():
    """Imports so far, newest first (a manager sees everyone's)."""
    return render_template("imports/index.html", page=queries.imports_for(current_user, _page()))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Upload a contact list; its rows are staged for the mapping step."""
    form = UploadForm()
    columns = fields.fields_for(current_user)
    if not form.validate_on_submit():
        return render_template("imports/new.html", form=form, columns=columns), 400 if form.errors else 200
    upload = form.file.data
    try:
        lead_import = services.stage_upload(upload.read(), upload.filename or "", by=current_user)
        db.session.commit()
    except sheets.SpreadsheetError as err:
        db.session.rollback()
        return render_template("imports/new.html", form=form, columns=columns, refused=str(err)), 400
    return redirect(url_for("imports.mapping", import_id=lead_import.id), code=303)


@bp.route("/<int:import_id>/mapping", methods=["GET", "POST"])
@login_required
def mapping(import_id):
    """Which column fills which lead field (recognised headers come pre-chosen), and defaults."""
    lead_import = _import_or_403(import_id)
    if lead_import.status not in ("mapping", "preview"):
        return redirect(url_for("imports.detail", import_id=import_id))
    form = MappingForm(data=None if request.method == "POST" else lead_import.defaults)
    form.set_owners(lead_queries.active_users())
    allowed = fields.fields_for(current_user)
    chosen = {index: key for key, index in lead_import.mapping.items()}
    if request.method == "POST":
        chosen = {}
        if form.validate_on_submit():
            try:
                picked = column_choices(request.form, len(lead_import.header), allowed)
                chosen = {index: key for key, index in picked.items()}
                defaults = {"kind": form.kind.data, "source": form.source.data,
                            "owner_id": form.owner_id.data if current_user.is_manager else ""}
                services.apply_mapping(lead_import, picked, defaults, by=current_user, language=_language())
                db.session.commit()
                return redirect(url_for("imports.preview", import_id=import_id), code=303)
            except services.ImportRefused as err:
                db.session.rollback()
                flash(str(err), "danger")
        lead_import = db.session.get(LeadImport, import_id)
    return render_template("imports/mapping.html", lead_import=lead_import, form=form, allowed=allowed,
                           chosen=chosen, samples=queries.sample_rows(lead_import)), (
        400 if request.method == "POST" else 200)


@bp.route("/<int:import_id>/preview", methods=["GET", "POST"])
@login_required
def preview(import_id):
    """Each row as it will be imported: errors, collisions on record and within the file, and choices."""
    lead_import = _import_or_403(import_id)
    if lead_import.status == "mapping":
        return redirect(url_for("imports.mapping", import_id=import_id))
    if lead_import.status != "preview":
        return redirect(url_for("imports.detail", import_id=import_id))
    show = request.args.get("show", "attention")
    show = show if show in SHOWS else "attention"
    form = PreviewForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("The form has expired; try again."), "danger")
            return _render_preview(lead_import, show, form, status=400)
        try:
            return _act(lead_import, form, show)
        except services.ImportRefused as err:
            db.session.rollback()
            flash(str(err), "danger")
            return _render_preview(db.session.get(LeadImport, import_id), show, form, status=409)
    return _render_preview(lead_import, show, form)


def _act(lead_import: LeadImport, form: PreviewForm, show: str):
    """Save the page's choices; then set one choice for all, or commit the import."""
    services.set_choices(lead_import, row_choices(request.form), by=current_user)
    if form.action.data == "all":
        changed = services.set_choice_for_all(lead_import, form.state.data, form.choice.data, by=current_user)
        db.session.commit()
        flash(_("%(n)s rows changed.", n=changed), "success")
    elif form.action.data == "commit":
        services.commit_import(lead_import, by=current_user)
        db.session.commit()
        flash(_("Imported: %(created)s leads created, %(merged)s merged, %(skipped)s skipped, %(errors)s rows "
                "with errors.", created=lead_import.created, merged=lead_import.merged,
                skipped=lead_import.skipped, errors=lead_import.errors), "success")
        return redirect(url_for("imports.detail", import_id=lead_import.id), code=303)
    else:
        db.session.commit()
        flash(_("Choices saved."), "success")
    return redirect(url_for("imports.preview", import_id=lead_import.id, show=show,
                            page=request.args.get("page", 1, type=int)), code=303)


def _render_preview(lead_import: LeadImport, show: str, form: PreviewForm, status: int = 200):
    page = queries.row_page(lead_import, "" if show == "all" else show, _page())
    matches = queries.leads_by_id(row.match_lead_id for row in page.items)
    options = {row.id: services.allowed_choices(row, by=current_user, match=matches.get(row.match_lead_id))
               for row in page.items}
    return render_template("imports/preview.html", lead_import=lead_import, page=page, show=show, shows=SHOWS,
                           form=form, counts=queries.state_counts(lead_import), matches=matches,
                           options=options, choice_counts=queries.choice_counts(lead_import)), status


@bp.get("/<int:import_id>")
@login_required
def detail(import_id):
    """The import's record: who, when, which file, what it did, and each row's outcome."""
    lead_import = _import_or_403(import_id)
    show = request.args.get("show", "all")
    show = show if show in OUTCOMES else "all"
    page = queries.row_page(lead_import, "" if show == "all" else show, _page())
    return render_template("imports/detail.html", lead_import=lead_import, page=page, show=show,
                           outcomes=OUTCOMES, counts=queries.outcome_counts(lead_import))


@bp.post("/<int:import_id>/discard")
@login_required
def discard(import_id):
    """Drop an import that was not committed."""
    lead_import = _import_or_403(import_id)
    try:
        services.discard_import(lead_import, by=current_user)
    except services.ImportRefused as err:
        db.session.rollback()
        flash(str(err), "danger")
        return redirect(url_for("imports.detail", import_id=import_id), code=303)
    db.session.commit()
    flash(_("Import discarded; nothing was imported."), "info")
    return redirect(url_for("imports.index"), code=303)
