"""Background jobs: bulk work (the pipeline report for every leader, exports, digests) on an RQ queue in
Redis, run by `flask --app wsgi crm worker`, never inside a request. Without REDIS_URL a job runs inline,
in the request or command that asked for it, so a one-machine install needs nothing more."""

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/reports/leaders")

from crm.jobs import views  # noqa: E402,F401
