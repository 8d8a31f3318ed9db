"""Accounts and API tokens: created from the CLI, the admin pages and the profile page."""

import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm.auth.models import ApiToken, User
from crm.core.database import utcnow
from crm.core.vocabulary import ROLES
from crm.extensions import db

TOKEN_USE_RESOLUTION = timedelta(minutes=1)


class AccountError(Exception):
    """An account change the rules do not allow."""


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))


def create_user(email: str, *, role: str, name: str | None = None, password: str | None = None) -> User:
    """Add a user. Emails are unique regardless of case."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise AccountError(_l("Enter a valid email address."))
    if role not in ROLES:
        raise AccountError(_l("Unknown role."))
    if find_user(email):
        raise AccountError(_l("A user with this email already exists."))
    if password is not None and len(password) < 8:
        raise AccountError(_l("The password must have at least 8 characters."))
    user = User(email=email, role=role, name=(name or email.split("@")[0])[:100], active=True)
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = find_user(email)
    if user is None or not user.is_active or not user.check_password(password or ""):
        return None
    user.last_login_at = utcnow()
    return user


def set_active(user: User, active: bool, *, by: User) -> None:
    """Deactivating a user also ends their sessions and stops their tokens."""
    if user.id == by.id and not active:
        raise AccountError(_l("You cannot deactivate yourself."))
    user.active = active
    if not active:
        user.end_all_sessions()
    db.session.flush()


def create_token(user: User, name: str = "") -> str:
    """Make an API token for `user` and return it; only its hash is kept, so this is the one chance to see it."""
    token = "pl_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, name=name[:100], token_hash=ApiToken.hash(token), prefix=token[:10]))
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, noting its use (at most once a minute). The caller commits."""
    if not token or len(token) > 200 or not token.isascii():
        return None
    record = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token),
                                                      ApiToken.revoked_at.is_(None)))
    if record is None or not record.user.is_active:
        return None
    now = utcnow()
    # Writing on every request would make every API read a write, and make concurrent requests
    # carrying one token queue on its row; a minute's resolution is plenty for "last used".
    if record.last_used_at is None or now - record.last_used_at >= TOKEN_USE_RESOLUTION:
        record.last_used_at = now
    return record.user


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: 'id:nonce'; a stale nonce or an inactive user means signed out."""
    user_id, _, nonce = (session_id or "").partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or not secrets.compare_digest(user.session_nonce, nonce):
        return None
    return user
