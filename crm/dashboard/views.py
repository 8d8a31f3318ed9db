"""Dashboard and targets pages."""

from flask_login import login_required

from crm.dashboard import bp


@bp.get("/dashboard")
@login_required
def index():
    """The manager's dashboard for a period."""
    return "dashboard"


@bp.get("/targets")
@login_required
def targets():
    """The year's targets with actual, pace and forecast."""
    return "targets"
