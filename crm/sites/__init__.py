"""Site inventory: standard factories, land plots and offices, matched to leads and reserved for them."""

from flask import Blueprint

bp = Blueprint("sites", __name__, url_prefix="/sites")


@bp.context_processor
def _vocabularies():
    from crm.sites.vocabulary import SITE_FIELD_LABELS, SITE_KINDS, SITE_STATUSES

    return {"SITE_KINDS": SITE_KINDS, "SITE_STATUSES": SITE_STATUSES, "SITE_FIELD_LABELS": SITE_FIELD_LABELS}


from crm.sites import cli, views  # noqa: E402,F401  (cli adds `crm release-reservations`)
