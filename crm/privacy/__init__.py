"""Privacy (PIPL): consent versions, who sees which personal details, an enquirer's export and erasure,
confidential leads.

The lead code itself asks this package (crm.privacy.consent, crm.privacy.visibility) while it is being
imported, so the package must not import its views - and with them the lead models - on import. `bp` is
therefore handed out lazily: its routes are attached the first time it is asked for (create_app does).
"""

import os

from flask import Blueprint

_bp = Blueprint("privacy", __name__)


@_bp.record_once
def _configure(state) -> None:
    """Check the consent version at start-up, and give templates the visibility helpers."""
    from crm.privacy import consent, templating

    app = state.app
    app.config.setdefault("CONSENT_VERSION", os.environ.get("CRM_CONSENT_VERSION") or consent.CURRENT)
    if app.config["CONSENT_VERSION"] not in consent.TEXTS:
        raise RuntimeError(f"CONSENT_VERSION {app.config['CONSENT_VERSION']!r} has no text in "
                           "crm/privacy/consent.py: add the wording there first")
    templating.register(app)


def __getattr__(name: str):
    if name == "bp":
        from crm.privacy import views  # noqa: F401  (attaches the routes)

        return _bp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
