"""Rate limits (Flask-Limiter): the enquiry form and the API per client, sign-in per account and per address.

Every limit reads its value from the app config when a request arrives, so a zone (or a test) can tune it:
RATELIMIT_ENQUIRY, RATELIMIT_API, RATELIMIT_API_ADDRESS, RATELIMIT_LOGIN_ADDRESS, RATELIMIT_LOGIN_ACCOUNT.
Counters live in Redis when REDIS_URL is set, so every app instance shares them; in memory otherwise.
RATELIMIT_ENABLED=False switches every limit, and the sign-in lockout, off. Each setting can also come from
the environment as CRM_<NAME> (CRM_RATELIMIT_ENQUIRY="20/minute", CRM_RATELIMIT_ENABLED=0).

Each app gets its own Limiter: Flask-Limiter keeps `enabled` and the storage on the Limiter object itself,
so one module-level instance bound to two apps (the tests build several) would let the last one win.
"""

import hashlib
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits.storage import MemoryStorage

from crm.core.values import from_env

EXTENSION_KEY = "crm_limiter"

_DEFAULTS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_KEY_PREFIX": "parkleads",
    "RATELIMIT_STRATEGY": "fixed-window",
    "RATELIMIT_HEADERS_ENABLED": True,  # Retry-After on a 429 tells well-behaved clients when to come back
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # Redis down: keep limiting per instance, never a 500
    "RATELIMIT_ENQUIRY": "10/minute;100/day",
    "RATELIMIT_API": "600/minute",
    "RATELIMIT_API_ADDRESS": "1200/minute",
    "RATELIMIT_LOGIN_ADDRESS": "30/minute;300/hour",
    "RATELIMIT_LOGIN_ACCOUNT": "10/minute;60/hour",
    "LOGIN_LOCKOUT_FAILURES": 5,
    "LOGIN_LOCKOUT_WINDOW_SECONDS": 15 * 60,
    "LOGIN_LOCKOUT_SECONDS": 15 * 60,
}


def defaults() -> dict:
    return {name: from_env(name, value) for name, value in _DEFAULTS.items()}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def client_address() -> str:
    """The client's address (the real one when TRUSTED_PROXIES tells us how many proxies to look past)."""
    return request.remote_addr or "unknown"


def api_token_key() -> str:
    """API calls are counted per bearer token (its digest, never the token itself), else per address."""
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "token:" + _digest(token.strip())
    return "addr:" + client_address()


def login_account_key() -> str:
    """Sign-in attempts are counted per account named in the form, whoever sends them."""
    return "account:" + account_key(request.form.get("email", ""))


def account_key(email: str) -> str:
    """A fixed-length key for an email as typed (trimmed, any case)."""
    return _digest((email or "").strip().lower()[:254])


class _SweptMemoryStorage(MemoryStorage):
    """limits' in-process counters, without a thread per request.

    MemoryStorage starts a 10 ms threading.Timer to purge expired keys whenever none is running: on a busy
    worker that is one new thread (and a wait for the scheduler to start it) per limited request, a few
    milliseconds each under load (found by bench/scale.py on POST /enquiry). Expired fixed-window counters
    are already dropped when read, so purging every SWEEP_SECONDS, inline, is enough.
    """

    STORAGE_SCHEME = ["parkleads-memory"]
    SWEEP_SECONDS = 30.0
    _next_sweep = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the parent's private timer restart
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()


# The swept storage relies on a private method of limits' MemoryStorage; with a limits that lacks it, the
# plain memory storage (correct, only slower) is used.
IN_PROCESS_STORAGE = ("parkleads-memory://" if hasattr(MemoryStorage, "_MemoryStorage__schedule_expiry")
                      and hasattr(MemoryStorage, "_MemoryStorage__expire_events") else "memory://")


def _setting(name: str):
    return lambda: current_app.config[name]


def register(app: Flask) -> Limiter:
    """Build this app's Limiter and put the limits on the enquiry form, the API and the login form."""
    for key, value in defaults().items():
        app.config.setdefault(key, value)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or IN_PROCESS_STORAGE
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        # The same prefix on Flask-Limiter's keys and on the lockout's own keys: one reset clears both.
        options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
        options.setdefault("key_prefix", "LIMITS:" + app.config["RATELIMIT_KEY_PREFIX"])
        # A Redis that stops answering must not hang requests: give up quickly and fall back to memory.
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        app.config["RATELIMIT_STORAGE_OPTIONS"] = options
    limiter = Limiter(key_func=client_address)
    limiter.init_app(app)
    app.extensions[EXTENSION_KEY] = limiter
    if not limiter.enabled:
        return limiter

    # Route limits are checked when the wrapped view runs, so the wrapper replaces the view in this app only.
    views = app.view_functions
    views["public.enquiry"] = limiter.limit(_setting("RATELIMIT_ENQUIRY"), methods=["POST"], scope="enquiry")(
        views["public.enquiry"])
    views["auth.login"] = limiter.limit(_setting("RATELIMIT_LOGIN_ADDRESS"), methods=["POST"],
                                        scope="login-address")(views["auth.login"])
    views["auth.login"] = limiter.limit(_setting("RATELIMIT_LOGIN_ACCOUNT"), methods=["POST"],
                                        scope="login-account", key_func=login_account_key)(views["auth.login"])
    api = app.blueprints["api"]
    # Shared: one budget per token across every API endpoint, not one per endpoint.
    limiter.shared_limit(_setting("RATELIMIT_API"), scope="api-token", key_func=api_token_key)(api)
    limiter.shared_limit(_setting("RATELIMIT_API_ADDRESS"), scope="api-address")(api)
    return limiter


def limiter_for(app: Flask) -> Limiter | None:
    return app.extensions.get(EXTENSION_KEY)


def is_enabled(app: Flask) -> bool:
    limiter = limiter_for(app)
    return bool(limiter and limiter.enabled and app.config.get("RATELIMIT_ENABLED", True))
