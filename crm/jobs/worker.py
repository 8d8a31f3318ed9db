"""The worker process: `flask --app wsgi crm worker` takes jobs off the Redis queue and runs them."""

import logging

from flask import current_app

from crm.jobs import queue

log = logging.getLogger(__name__)


def work(*, burst: bool = False) -> int:
    """Run jobs until stopped (or, with `burst`, until the queue is empty). Returns an exit status."""
    from rq import Worker

    if not queue.redis_url():
        log.error("REDIS_URL is not set: jobs run inline in the app, there is nothing for a worker to do")
        return 2
    queue._worker_app = current_app._get_current_object()
    from crm.extensions import db

    db.engine.dispose()  # each job runs in a forked work horse: leave it no open connection to share
    worker = Worker([queue.get_queue()], connection=queue.connection())
    return 0 if worker.work(burst=burst, logging_level="INFO") or burst else 1
