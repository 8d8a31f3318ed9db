"""The API's reference page at /api/docs: Swagger UI (vendored in static/vendor/swagger-ui) over openapi.json.

A blueprint of its own, outside /api/v1: it is a page for people, not an API operation, so it takes no
token and needs no entry in the OpenAPI document. Its script runs from static/js/api_docs.js, within the CSP.
"""

from flask import Blueprint, render_template

bp = Blueprint("api_docs", __name__, url_prefix="/api/docs")


@bp.get("")
def index():
    """Browse and try the API (public, like the document it shows)."""
    return render_template("api/docs.html")
