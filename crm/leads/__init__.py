from flask import Blueprint

bp = Blueprint("leads", __name__, url_prefix="/leads")

from crm.leads import views  # noqa: E402,F401
from crm.leads import views_data  # noqa: E402,F401
