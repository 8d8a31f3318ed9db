"""Changes a user makes to their own account. Each takes the user, flushes, and leaves the commit to the caller."""

from flask import has_request_context, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm.auth import services as accounts
from crm.auth.models import ApiToken, User
from crm.core.database import utcnow
from crm.core.i18n import LOCALE_SESSION_KEY
from crm.extensions import db

MAX_TOKENS = 20  # live tokens per user: enough for every portal and script, few enough to keep track of


class ProfileError(Exception):
    """A profile change the rules do not allow; `field` names the form field it concerns."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


def update_profile(user: User, *, name: str, locale: str | None, is_duty: bool) -> None:
    """Rename, choose a language (None: automatic), go on or off duty."""
    user.name = name.strip()[:100]
    user.locale = locale or None
    user.is_duty = bool(is_duty)
    db.session.flush()
    apply_language(user)


def apply_language(user: User) -> None:
    """Make the user's chosen language this session's language."""
    if not has_request_context():
        return
    if user.locale:
        session[LOCALE_SESSION_KEY] = user.locale
    else:
        session.pop(LOCALE_SESSION_KEY, None)


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; every other session of the user ends."""
    if not user.check_password(current or ""):
        raise ProfileError(_l("The current password is not right."), "current_password")
    if len(new or "") < 8:
        raise ProfileError(_l("The password must have 8 to 200 characters."), "new_password")
    if new == current:
        raise ProfileError(_l("Choose a password different from the current one."), "new_password")
    user.set_password(new)
    user.end_all_sessions()
    db.session.flush()


def live_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def create_token(user: User, name: str) -> str:
    """A new API token for the user; the token itself is returned once and never stored."""
    count = db.session.scalar(select(func.count(ApiToken.id)).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    if count >= MAX_TOKENS:
        raise ProfileError(_l("You have %(n)s tokens; revoke one you no longer use first.", n=count), "name")
    return accounts.create_token(user, name.strip())


def revoke_token(user: User, token_id: int) -> ApiToken | None:
    """Revoke one of the user's own live tokens; None if the user has no such token."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id,
                                                     ApiToken.revoked_at.is_(None)))
    if token is not None:
        token.revoked_at = utcnow()
        db.session.flush()
    return token
