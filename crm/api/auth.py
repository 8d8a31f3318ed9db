"""Bearer-token authentication for the JSON API."""

from functools import wraps

from flask import g, jsonify, request
from flask_babel import gettext as _

from crm.auth.services import user_for_token
from crm.extensions import db


def api_error(status: int, message: str, fields: dict | None = None):
    return jsonify(error=message, fields=fields or {}), status


def token_required(view):
    """Resolve `Authorization: Bearer <token>` to an active user, else 401 JSON."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _sep, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            response, status = api_error(401, _("A valid API token is required (Authorization: Bearer <token>)."))
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
            return response, status
        if db.session.dirty:
            # The token's last use, in its own short transaction: reads stay reads, and the view
            # starts with a clean session.
            db.session.commit()
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped
