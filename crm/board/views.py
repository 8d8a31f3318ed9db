"""The pipeline board."""

from flask_login import login_required

from crm.board import bp


@bp.get("")
@login_required
def index():
    """The whole pipeline, a column per stage."""
    return "board"
