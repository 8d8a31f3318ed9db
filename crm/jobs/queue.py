"""Enqueue helpers: put a job on the Redis queue (RQ), or run it at once when there is no Redis.

    from crm.jobs.queue import enqueue
    submitted = enqueue(reports.leader_reports)      # → Submitted(job_id="…", inline=False)

A job is any importable function. It is queued by name (module:function) with plain arguments, and the
worker runs it inside an app context of its own (`run_job`). Settings, from the app config or the
environment: REDIS_URL (no Redis: inline), CRM_JOBS_QUEUE (queue name, default "parkleads"),
CRM_JOB_TIMEOUT (seconds a job may run, default 600).
"""

import importlib
import logging
import os
from dataclasses import dataclass

from flask import current_app

log = logging.getLogger(__name__)
DEFAULT_QUEUE = "parkleads"
DEFAULT_TIMEOUT = 600
_worker_app = None  # set by the worker before it forks work horses (crm.jobs.worker)


@dataclass
class Submitted:
    """What became of a job: queued (job_id) or already run inline (result)."""

    job_id: str | None
    inline: bool
    result: object = None


def _setting(name: str, default=None):
    value = current_app.config.get(name)
    if value in (None, ""):
        value = os.environ.get(f"CRM_{name}", default)
    return value


def queue_name() -> str:
    return str(_setting("JOBS_QUEUE", DEFAULT_QUEUE))


def redis_url() -> str | None:
    return current_app.config.get("REDIS_URL") or None


def connection():
    """A Redis client for REDIS_URL (short timeouts: a page that enqueues must not hang on a dead Redis)."""
    from redis import Redis

    return Redis.from_url(redis_url(), socket_connect_timeout=2, socket_timeout=5)


def get_queue():
    from rq import Queue

    return Queue(queue_name(), connection=connection(),
                 default_timeout=int(_setting("JOB_TIMEOUT", DEFAULT_TIMEOUT)))


def enqueue(func, *args, description: str = "", **kwargs) -> Submitted:
    """Queue `func(*args, **kwargs)` for the worker; without REDIS_URL, run it now and return its result."""
    if not redis_url():
        return Submitted(job_id=None, inline=True, result=func(*args, **kwargs))
    path = f"{func.__module__}:{func.__qualname__}"
    job = get_queue().enqueue(run_job, path, list(args), dict(kwargs), description=description or path,
                              result_ttl=24 * 3600, failure_ttl=7 * 24 * 3600)
    log.info("queued job %s (%s) on %s", job.id, path, queue_name())
    return Submitted(job_id=job.id, inline=False)


def pending() -> dict[str, int]:
    """Jobs waiting and running on the queue (empty without Redis, or when Redis does not answer)."""
    if not redis_url():
        return {}
    try:
        queue = get_queue()
        return {"queued": queue.count, "running": queue.started_job_registry.count,
                "failed": queue.failed_job_registry.count}
    except Exception:  # the page still works without the queue's figures
        log.warning("could not read the job queue", exc_info=True)
        return {}


def run_job(path: str, args: list, kwargs: dict):
    """What the worker executes: import `path` and call it inside an app context."""
    module_name, _sep, name = path.partition(":")
    func = importlib.import_module(module_name)
    for part in name.split("."):
        func = getattr(func, part)
    app = _worker_app
    if app is None:  # a plain `rq worker` process: build the app from the environment
        from crm import create_app

        app = create_app()
    with app.app_context():
        from crm.extensions import db

        db.engine.dispose(close=False)  # connections made before a fork belong to the parent
        try:
            return func(*args, **kwargs)
        finally:
            db.session.remove()
