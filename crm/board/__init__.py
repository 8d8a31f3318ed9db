"""The pipeline board ("挂图作战"): a column per stage, drag or pick a stage to move a lead."""

from flask import Blueprint

bp = Blueprint("board", __name__, url_prefix="/pipeline")

from crm.board import views  # noqa: E402,F401
