from flask import Blueprint

from crm.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies: there is no session to forge a request with

from crm.api import imports, inventory, pipeline, views  # noqa: E402,F401
