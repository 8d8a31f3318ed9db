"""Sign-in lockout: after repeated wrong passwords an account refuses sign-in for a while.

Failures are counted per account as typed (existing or not, so the answer reveals nothing) in the rate
limiter's storage: Redis when REDIS_URL is set, so every app instance sees the same count. A successful
sign-in clears the count. Off when rate limits are off (RATELIMIT_ENABLED=False).
"""

import logging
import math
import time

from flask import current_app
from flask_babel import ngettext

from crm.core.limits import account_key, is_enabled, limiter_for

log = logging.getLogger("crm.auth.lockout")


def _storage():
    app = current_app._get_current_object()
    if not is_enabled(app):
        return None
    return limiter_for(app).storage


def _keys(email: str) -> tuple[str, str]:
    key = account_key(email)
    return f"lockout:failures:{key}", f"lockout:locked:{key}"


def seconds_locked(email: str) -> int:
    """How many seconds this account still refuses sign-in; 0 when it is not locked."""
    storage = _storage()
    if storage is None:
        return 0
    _failures, locked = _keys(email)
    try:
        if not storage.get(locked):
            return 0
        return max(1, math.ceil(storage.get_expiry(locked) - time.time()))
    except Exception:  # storage unreachable: fail open (the per-address rate limits still apply)
        log.warning("lockout storage unreachable; not checking the lock", exc_info=True)
        return 0


def record_failure(email: str) -> int:
    """Count a wrong password; returns the seconds the account is now locked for (0 if not locked)."""
    storage = _storage()
    if storage is None:
        return 0
    config = current_app.config
    failures, locked = _keys(email)
    try:
        count = storage.incr(failures, int(config["LOGIN_LOCKOUT_WINDOW_SECONDS"]))
        if count < int(config["LOGIN_LOCKOUT_FAILURES"]):
            return 0
        storage.clear(failures)
        storage.incr(locked, int(config["LOGIN_LOCKOUT_SECONDS"]))
    except Exception:
        log.warning("lockout storage unreachable; failure not counted", exc_info=True)
        return 0
    log.warning("sign-in locked after %s failures account=%s", count, account_key(email))
    return int(config["LOGIN_LOCKOUT_SECONDS"])


def clear(email: str) -> None:
    """A successful sign-in forgets earlier failures."""
    storage = _storage()
    if storage is None:
        return
    failures, locked = _keys(email)
    try:
        storage.clear(failures)
        storage.clear(locked)
    except Exception:
        log.warning("lockout storage unreachable; failures not cleared", exc_info=True)


def locked_message(seconds: int) -> str:
    """The translated sentence shown on the sign-in page while the account is locked."""
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext("Too many failed sign-ins. This account is locked; try again in %(num)s minute.",
                    "Too many failed sign-ins. This account is locked; try again in %(num)s minutes.",
                    minutes)
