"""Error pages: a clear, translated message, never a stack trace; JSON for the API."""

import logging
import re
import uuid

from flask import g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from crm.extensions import db

log = logging.getLogger("crm.errors")


def _messages():
    return {
        400: _("The request could not be understood. Please check what you entered and try again."),
        401: _("Please sign in."),
        403: _("You do not have permission to do this."),
        404: _("This page does not exist, or it was removed."),
        405: _("This action is not allowed here."),
        409: _("Someone else changed this record at the same time."),
        413: _("The upload is too large."),
        422: _("Some values are not valid."),
        429: _("Too many requests. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Nothing was saved; please try again."),
    }


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(status: int, message: str | None = None):
    message = message or _messages().get(status, _messages()[500])
    if _wants_json():
        return jsonify(error=message, fields={}), status
    try:
        return render_template("errors/error.html", status=status, message=message,
                               request_id=g.get("request_id")), status
    except Exception:  # the page needs the database (the signed-in user, notices); when it is down, a bare page
        log.exception("error page failed request_id=%s", g.get("request_id"))
        _rollback()
        return _BARE_PAGE.format(status=status, message=escape(message), label=escape(_("Request id")),
                                 request_id=escape(g.get("request_id") or "")), status


_BARE_PAGE = ("<!doctype html><meta charset=\"utf-8\"><title>{status}</title>"
              "<p>{message}</p><p>{label}: <code>{request_id}</code></p>")


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # a dead connection cannot roll back; the pool replaces it
        log.warning("rollback failed", exc_info=True)


_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def assign_request_id() -> None:
    """Take the proxy's X-Request-Id when it is a plain token (it goes into logs and pages), else make one."""
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if _SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex[:16]


def register(app) -> None:
    # First of the before-request hooks, so a request refused by CSRF or a rate limit has an id too.
    app.before_request_funcs.setdefault(None, []).insert(0, assign_request_id)

    @app.errorhandler(CSRFError)
    def _csrf(err):
        return _render(400, _("The form expired or was sent from elsewhere. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        if err.code is None or err.code < 400:
            return err
        return _render(err.code)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        if isinstance(err, HTTPException) and not isinstance(err, InternalServerError):
            return _http(err)
        _rollback()
        log.exception("unhandled error request_id=%s path=%s", g.get("request_id"), request.path)
        return _render(500)
