"""Lead pages: list, create, detail with timeline, edit, claim/assign, stage, activities, my day."""

from datetime import date, datetime, time

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from crm.core.database import utcnow
from crm.core.formatting import local_today
from crm.core.values import same_value
from crm.extensions import db
from crm.leads import bp, industries, queries, services
from crm.leads.forms import ActivityForm, AssignForm, LeadForm, StageForm
from crm.leads.models import Lead
from crm.leads.stages import GATE_FIELDS, PIPELINE, PipelineError


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "zh"


def _lead_or_404(lead_id: int) -> Lead:
    return db.get_or_404(Lead, lead_id)


def _editable_lead_or_403(lead_id: int) -> Lead:
    lead = _lead_or_404(lead_id)
    if not services.can_edit(current_user, lead):
        abort(403)
    return lead


def _lead_form(**kwargs) -> LeadForm:
    form = LeadForm(**kwargs)
    form.set_industries(industries.active_choices(), _language())
    return form


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.get("")
@login_required
def index():
    """The lead list: search, filters, sorting, 50 a page."""
    args = request.args
    filters = queries.LeadFilters(
        q=args.get("q", "")[:100], stage=args.get("stage", ""), kind=args.get("kind", ""),
        owner=args.get("owner", ""), industry=args.get("industry", ""), source=args.get("source", ""),
        created_from=_parse_date(args.get("created_from")), created_to=_parse_date(args.get("created_to")),
        sort=args.get("sort", "newest"))
    page = queries.lead_page(filters, user=current_user, page=args.get("page", 1, type=int),
                             per_page=current_app.config["LEADS_PER_PAGE"], count_cap=queries.list_count_cap(),
                             list_columns=True)
    return render_template("leads/index.html", page=page, filters=filters, users=queries.active_users(),
                           industries=industries.active_choices(), sorts=queries.SORTS)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """An officer logs a hotline, WeChat or expo lead."""
    form = _lead_form(source="hotline")
    if form.validate_on_submit():
        lead = services.create_lead(form.lead_values(), by=current_user)
        db.session.commit()
        if lead.collides_with_id:
            flash(_("This investor may already be known: see the linked lead %(ref)s.",
                    ref=lead.collides_with.reference), "warning")
        flash(_("Lead %(ref)s created.", ref=lead.reference), "success")
        return redirect(url_for("leads.detail", lead_id=lead.id))
    return render_template("leads/form.html", form=form, lead=None), 400 if form.errors else 200


@bp.get("/<int:lead_id>")
@login_required
def detail(lead_id):
    """A lead with its figures, its timeline and the actions the reader may take."""
    lead = _lead_or_404(lead_id)
    return _render_detail(lead)


def _render_detail(lead, *, activity_form=None, stage_form=None, status=200):
    from crm.privacy.views import confidential_form  # late: the privacy package imports the lead models

    assign_form = AssignForm(owner_id=str(lead.owner_id or ""))
    assign_form.owner_id.choices = [("", _("Unassigned"))] + [
        (str(u.id), u.name) for u in queries.active_users()]
    return render_template(
        "leads/detail.html", lead=lead, timeline=queries.timeline(lead),
        activity_form=activity_form or ActivityForm(occurred_on=local_today()),
        stage_form=stage_form or StageForm(stage=_suggested_stage(lead)), assign_form=assign_form,
        can_edit=services.can_edit(current_user, lead), gate_fields=GATE_FIELDS,
        owner_names=_owner_names(lead), industry_names=queries.industry_names(_language()),
        confidential_form=confidential_form(lead, current_user),
    ), status


def _suggested_stage(lead) -> str:
    """The stage form starts on the next pipeline stage, the move an officer makes most."""
    if lead.stage in PIPELINE[:-1]:
        return PIPELINE[PIPELINE.index(lead.stage) + 1]
    return "contacted" if lead.stage in ("on_hold", "lost") else lead.stage


def _owner_names(lead) -> dict[str, str]:
    """Names for user ids that appear in the lead's assignment history."""
    ids = {e.old_value for e in lead.events if e.field == "owner_id"} | {
        e.new_value for e in lead.events if e.field == "owner_id"}
    return {str(uid): user.name for uid, user in queries.users_by_id(ids).items()}


@bp.route("/<int:lead_id>/edit", methods=["GET", "POST"])
@login_required
def edit(lead_id):
    """Edit a lead; a colleague's save in between shows a conflict instead of being overwritten."""
    lead = _editable_lead_or_403(lead_id)
    form = _lead_form(obj=lead) if request.method == "GET" else _lead_form()
    if request.method == "GET":
        form.version.data = lead.version
        form.priority.data = str(lead.priority)
        return render_template("leads/form.html", form=form, lead=lead)
    if not form.validate_on_submit():
        return render_template("leads/form.html", form=form, lead=lead), 400
    expected = int(form.version.data) if (form.version.data or "").isdigit() else None
    try:
        changed = services.update_lead(lead, form.lead_values(), by=current_user, expected_version=expected)
        db.session.commit()
    except services.VersionConflict:
        db.session.rollback()
        return _conflict(lead_id, form)
    except StaleDataError:
        db.session.rollback()
        return _conflict(lead_id, form)
    except services.LeadPermissionError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return render_template("leads/form.html", form=form, lead=lead), 403
    flash(_("Saved.") if changed else _("Nothing changed."), "success" if changed else "info")
    return redirect(url_for("leads.detail", lead_id=lead.id))


def _conflict(lead_id: int, form: LeadForm):
    """Show both versions side by side; the editor's input stays in the form, based on the new version."""
    lead = db.session.get(Lead, lead_id)
    db.session.refresh(lead)
    mine = form.lead_values()
    differences = [(field, mine[field], getattr(lead, field)) for field in mine
                   if not same_value(getattr(lead, field), mine[field])]
    form.version.data = lead.version
    return render_template("leads/conflict.html", form=form, lead=lead, differences=differences,
                           industry_names=queries.industry_names(_language())), 409


@bp.post("/<int:lead_id>/claim")
@login_required
def claim(lead_id):
    """Take an unassigned lead."""
    lead = _lead_or_404(lead_id)
    try:
        services.claim_lead(lead, by=current_user)
        db.session.commit()
        flash(_("You now own this lead."), "success")
    except services.LeadPermissionError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return _render_detail(lead, status=409)
    return redirect(url_for("leads.detail", lead_id=lead.id))


@bp.post("/<int:lead_id>/assign")
@login_required
def assign(lead_id):
    """A manager gives the lead to an officer."""
    if not current_user.is_manager:
        abort(403)
    lead = _lead_or_404(lead_id)
    form = AssignForm()
    form.owner_id.choices = [("", "")] + [(str(u.id), u.name) for u in queries.active_users()]
    if not form.validate_on_submit():
        flash(_("Choose an active user."), "danger")
        return _render_detail(lead, status=400)
    owner = queries.users_by_id([form.owner_id.data]).get(int(form.owner_id.data)) if form.owner_id.data else None
    try:
        services.assign_lead(lead, owner, by=current_user)
        db.session.commit()
    except services.LeadPermissionError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return _render_detail(lead, status=400)
    flash(_("Owner updated."), "success")
    return redirect(url_for("leads.detail", lead_id=lead.id))


@bp.post("/<int:lead_id>/stage")
@login_required
def change_stage(lead_id):
    """Move a lead to another stage through its gate."""
    lead = _editable_lead_or_403(lead_id)
    form = StageForm()
    if not form.validate_on_submit():
        return _render_detail(lead, stage_form=form, status=400)
    try:
        services.move_lead(lead, form.stage.data, by=current_user, reason=form.reason.data)
        db.session.commit()
    except PipelineError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return _render_detail(db.session.get(Lead, lead_id), stage_form=form, status=422)
    flash(_("Stage updated."), "success")
    return redirect(url_for("leads.detail", lead_id=lead.id))


@bp.post("/<int:lead_id>/activities")
@login_required
def add_activity(lead_id):
    """Log a call, visit, meeting... with its outcome and the next action."""
    lead = _editable_lead_or_403(lead_id)
    form = ActivityForm()
    if not form.validate_on_submit():
        return _render_detail(lead, activity_form=form, status=400)
    occurred = utcnow()
    if form.occurred_on.data and form.occurred_on.data != local_today():
        occurred = datetime.combine(form.occurred_on.data, time(9, 0))
    services.log_activity(lead, kind=form.kind.data, outcome=form.outcome.data, by=current_user,
                          occurred_at=occurred, next_action=form.next_action.data,
                          next_action_due=form.next_action_due.data)
    db.session.commit()
    flash(_("Activity logged."), "success")
    return redirect(url_for("leads.detail", lead_id=lead.id))


@bp.get("/my-day")
@login_required
def my_day():
    """Overdue and due-today actions, and new enquiries waiting for an owner."""
    day = queries.my_day(current_user, local_today())
    return render_template("leads/my_day.html", day=day, today=local_today())
