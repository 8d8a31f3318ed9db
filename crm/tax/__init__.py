"""Tax records from the tax office's spreadsheet, matched to projects: realised tax and tax per mu."""

from flask import Blueprint

bp = Blueprint("tax", __name__, url_prefix="/tax")

from crm.tax import cli, views  # noqa: E402,F401  (cli adds `crm import-tax` to the crm command group)
