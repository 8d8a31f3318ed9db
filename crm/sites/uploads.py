"""The friendly page for an upload over MAX_CONTENT_LENGTH, shared by the site and tax import pages."""

from flask import current_app, render_template


def too_large(_err):
    """A 413 that says how big a file may be and what to do instead."""
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    return render_template("tax/too_large.html", limit=limit), 413
