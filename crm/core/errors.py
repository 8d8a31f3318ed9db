"""Error pages: a clear, translated message, never a stack trace; JSON for the API."""

import logging
import uuid

from flask import g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
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
    return render_template("errors/error.html", status=status, message=message,
                           request_id=g.get("request_id")), status


def register(app) -> None:
    @app.before_request
    def _request_id():
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex[:16]

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
        db.session.rollback()
        log.exception("unhandled error request_id=%s path=%s", g.get("request_id"), request.path)
        return _render(500)
