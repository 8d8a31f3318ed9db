"""Manager dashboards and annual targets: read-only totals computed in SQL."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from crm.dashboard import views  # noqa: E402,F401
