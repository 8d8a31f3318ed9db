"""A user's own profile: name, language, duty, password and API tokens."""

from flask import Blueprint

bp = Blueprint("profile", __name__, url_prefix="/profile")


@bp.record_once
def _setup(state) -> None:
    from flask_login import user_logged_in

    from crm.profile.services import apply_language

    # Signing in restores the language the user chose, on any device.
    user_logged_in.connect(lambda app, user, **extra: apply_language(user), sender=state.app, weak=False)


from crm.profile import views  # noqa: E402,F401
