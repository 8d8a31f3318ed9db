"""The pipeline board: columns, load more, and moves by drag or by each card's stage menu.

Moves answer HTMX with the card's new HTML (and the column headers, out of band); the browser script puts
the card in the column its data-stage names, so a refused move sends the card back by itself. Without
JavaScript the same forms post normally and the board reloads.
"""

import json

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from crm.auth.models import User
from crm.board import bp, queries
from crm.board.cards import CardKit
from crm.board.forms import GateForm
from crm.board.services import GateAnswers, move_from_board
from crm.core.formatting import local_today
from crm.core.vocabulary import STAGES
from crm.extensions import db
from crm.leads import industries, services
from crm.leads.models import Lead
from crm.leads.stages import PipelineError, missing_for


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _filters() -> queries.BoardFilters:
    return queries.BoardFilters.from_args(request.args, current_user)


def _card_context(today) -> dict:
    filter_args = _filters().as_args()
    return {"today": today, "filter_args": filter_args,
            "kit": CardKit(current_user._get_current_object(), today, filter_args)}


@bp.get("")
@login_required
def index():
    """The whole pipeline, a column per stage, filtered by owner, industry, kind, source and key leads."""
    today = local_today()
    filters = _filters()
    totals = queries.column_totals(filters, current_user, today)
    # Side columns (on hold, lost) start collapsed: their cards load when opened.
    columns = {stage: queries.column_cards(stage, filters, current_user, today)
               for stage in queries.COLUMNS if stage not in queries.SIDE_COLUMNS}
    return render_template("board/index.html", filters=filters, totals=totals, columns=columns,
                           stages=queries.COLUMNS, side=queries.SIDE_COLUMNS, owners=queries.owners(),
                           industries=industries.active_choices(), **_card_context(today))


@bp.get("/column/<stage>")
@login_required
def more(stage):
    """The next cards of one column (the "load more" button)."""
    if stage not in queries.COLUMNS:
        abort(404)
    today = local_today()
    offset = max(request.args.get("offset", 0, type=int), 0)
    cards, has_more = queries.column_cards(stage, _filters(), current_user, today, offset=offset)
    return render_template("board/_cards.html", stage=stage, cards=cards, has_more=has_more,
                           next_offset=offset + len(cards), **_card_context(today))


@bp.get("/<int:lead_id>/card")
@login_required
def card(lead_id):
    """One card as it stands (a cancelled gate form puts the card back with this)."""
    row = queries.card(lead_id)
    if row is None:
        abort(404)
    return render_template("board/_card.html", lead=row, **_card_context(local_today()))


def _respond(lead, *, status=200, message=None, level="success", gate=None, target_stage=None):
    """The card (or its gate form) for HTMX, with fresh column headers; a redirect or page otherwise."""
    today = local_today()
    if not _is_htmx():
        if gate is not None:
            return render_template("board/move.html", lead=lead, form=gate, target_stage=target_stage,
                                   message=message, **_card_context(today)), status
        if status == 403:
            abort(403)
        if message:
            flash(message, "success" if level == "success" else "error")
        return redirect(url_for("board.index", **_filters().as_args()))
    totals = queries.column_totals(_filters(), current_user, today)
    html = render_template("board/_moved.html", lead=lead, card_row=queries.card(lead.id), gate=gate,
                           target_stage=target_stage,
                           message=message, level=level, totals=totals, stages=queries.COLUMNS,
                           **_card_context(today))
    response = make_response(html, status)
    if message:
        response.headers["HX-Trigger"] = json.dumps({"board:status": {"message": message, "level": level}})
    return response


def _gate_form(lead, stage, missing, formdata=None):
    return GateForm.for_needs(missing, lead, user=current_user, owners=queries.owners(), formdata=formdata,
                              stage=stage)


@bp.post("/<int:lead_id>/move")
@login_required
def move(lead_id):
    """Move a lead to the posted stage; ask inline for what the gate needs, or refuse with the reason."""
    lead = db.get_or_404(Lead, lead_id)
    stage = request.form.get("stage", "")
    if stage not in STAGES:
        return _respond(lead, status=400, message=_("Unknown stage."), level="danger")
    if not services.can_edit(current_user, lead):
        return _respond(lead, status=403, level="danger",
                        message=_("You can only move leads you own or unassigned ones."))
    if stage == lead.stage:
        return _respond(lead)
    answering = request.form.get("gate") == "1"
    missing = _missing(lead, stage)
    answers = None
    if answering and missing:
        form = _gate_form(lead, stage, missing, formdata=request.form)
        if not form.validate():
            return _respond(lead, status=422, gate=form, target_stage=stage, level="warning",
                            message=_("Please complete the highlighted fields."))
        answers = _answers(form)
    try:
        move_from_board(lead, stage, by=current_user, answers=answers)
        db.session.commit()
    except PipelineError as err:
        db.session.rollback()
        lead = db.session.get(Lead, lead_id)
        if err.missing:
            return _respond(lead, status=200 if not answering else 422, gate=_gate_form(lead, stage, err.missing),
                            target_stage=stage, message=str(err), level="warning")
        return _respond(lead, status=422, message=str(err), level="danger")
    except services.LeadPermissionError as err:
        db.session.rollback()
        return _respond(db.session.get(Lead, lead_id), status=403, message=str(err), level="danger")
    except StaleDataError:
        db.session.rollback()
        return _respond(db.session.get(Lead, lead_id), status=409, level="danger",
                        message=_("Someone changed this lead at the same time. Nothing was saved; try again."))
    return _respond(lead, message=_("%(company)s moved to %(stage)s.", company=lead.company_name,
                                    stage=STAGES.label(stage)))


def _missing(lead, stage) -> tuple[str, ...]:
    """What the gate lacks, without changing anything (empty when the move may go ahead or is refused)."""
    if lead.stage == "signed":
        return ()
    return tuple(missing_for(lead, stage))


def _answers(form: GateForm) -> GateAnswers:
    owner_id = form.value("owner_id")
    return GateAnswers(
        owner=db.session.get(User, int(owner_id)) if owner_id else None,
        take=bool(form.value("take")),
        visit_on=form.value("visit_on"),
        visit_outcome=form.value("visit_outcome") or "",
        figures=form.figures(),
        reason=form.value("lost_reason"),
    )
