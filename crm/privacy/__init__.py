"""Privacy (PIPL): consent versions, who sees which personal details, an enquirer's export and erasure,
confidential leads."""

import os

from flask import Blueprint

bp = Blueprint("privacy", __name__)


@bp.record_once
def _configure(state) -> None:
    """Check the consent version at start-up, and give templates the visibility helpers."""
    from crm.privacy import consent, templating

    app = state.app
    app.config.setdefault("CONSENT_VERSION", os.environ.get("CRM_CONSENT_VERSION") or consent.CURRENT)
    if app.config["CONSENT_VERSION"] not in consent.TEXTS:
        raise RuntimeError(f"CONSENT_VERSION {app.config['CONSENT_VERSION']!r} has no text in "
                           "crm/privacy/consent.py: add the wording there first")
    templating.register(app)


from crm.privacy import views  # noqa: E402,F401
