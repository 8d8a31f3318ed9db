from flask import Blueprint

bp = Blueprint("leads", __name__, url_prefix="/leads")

from crm.leads import views, views_data  # noqa: E402,F401
