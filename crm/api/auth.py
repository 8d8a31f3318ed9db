"""Bearer-token authentication for the JSON API."""

from functools import wraps

from flask import g, jsonify, request
from flask_babel import gettext as _

from crm.auth.models import ApiToken
from crm.auth.services import user_for_token
from crm.core.database import utcnow
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
            return api_error(401, _("A valid API token is required (Authorization: Bearer <token>)."))
        g.api_user = user
        db.session.execute(db.update(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token.strip()))
                           .values(last_used_at=utcnow()))
        return view(*args, **kwargs)

    return wrapped
