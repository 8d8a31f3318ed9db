from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.record_once
def _setup(state) -> None:
    from crm.notifications import delivery

    delivery.init_app(state.app)


from crm.notifications import cli, views  # noqa: E402,F401  (cli adds deliver-notifications and send-digest)
