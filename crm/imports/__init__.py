"""Lead imports: an expo's contact list uploaded, mapped, checked for collisions, and committed at once."""

from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/imports")

from crm.imports import views  # noqa: E402,F401
