"""The leaders' reports page: ask the worker for every leader's pipeline report, and download them."""

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _

from crm.core.access import manager_required
from crm.jobs import bp, queue, reports


@bp.get("")
@manager_required
def index():
    """Reports already rendered, and how busy the queue is."""
    return render_template("jobs/reports.html", files=reports.report_files(), pending=queue.pending(),
                           has_queue=bool(queue.redis_url()), leaders=reports.leaders())


@bp.post("")
@manager_required
def generate():
    """Queue the pipeline report for every leader (rendered at once when there is no Redis)."""
    try:
        submitted = queue.enqueue(reports.leader_reports, description="pipeline reports for all leaders")
    except Exception:  # Redis refused: say so rather than fail the page
        queue.log.exception("could not queue the leaders' reports")
        flash(_("The job queue does not answer; try again in a minute."), "danger")
        return redirect(url_for("jobs.index"), code=303)
    if submitted.inline:
        flash(_("%(n)s reports are ready.", n=len(submitted.result or [])), "success")
    else:
        flash(_("The reports are being prepared; they appear here when ready."), "info")
    return redirect(url_for("jobs.index"), code=303)


@bp.get("/<name>")
@manager_required
def download(name):
    """One rendered report."""
    path = reports.report_path(name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="application/pdf", download_name=name, as_attachment=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response
