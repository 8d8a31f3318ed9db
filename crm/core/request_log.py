"""Structured request logs: one JSON line per request on the `crm.requests` logger, and an X-Request-Id.

    {"request_id": "3f9c...", "method": "POST", "path": "/leads/12/stage", "status": 302,
     "duration_ms": 18.4, "user_id": 7}

The request id is the one the error page shows and the error log carries (crm.core.errors), so a person's
"request id 3f9c..." leads straight to the traceback. Paths never carry secrets: the private enquiry status
token is masked, and query strings (searches name companies and people) are left out.
"""

import json
import logging
import sys
import time

from flask import Flask, g, request
from flask_login import current_user

log = logging.getLogger("crm.requests")


def register(app: Flask) -> None:
    if not logging.getLogger().handlers and not log.handlers:
        # Nobody configured logging (flask run, a bare gunicorn): still write the lines, to stderr.
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)
    # First of all before-request hooks, so even a request refused by CSRF or a rate limit is timed.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_timer)
    app.after_request(_log_request)


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _user_id():
    api_user = g.get("api_user")
    if api_user is not None:
        return api_user.id
    try:
        return current_user.id if current_user.is_authenticated else None
    except Exception:  # the user could not be loaded (database down): the line matters more
        return None


def _path() -> str:
    path = request.path
    token = (request.view_args or {}).get("token")
    if token:
        path = path.replace(str(token), "***")
    return path


def _log_request(response):
    started = g.get("request_started")
    request_id = g.get("request_id")
    if request_id:
        response.headers["X-Request-Id"] = request_id
    log.info(json.dumps({
        "request_id": request_id,
        "method": request.method,
        "path": _path(),
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "user_id": _user_id(),
    }, ensure_ascii=False))
    return response
