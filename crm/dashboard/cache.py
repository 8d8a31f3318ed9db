"""A short-lived, per-process cache of the dashboard page's figures.

The dashboard aggregates the whole zone (cohort funnel, medians over every stage change, ...): at 100,000
leads that is about two seconds of SQL on SQLite, far too slow to repeat for every page view, while the
figures barely move from one minute to the next. So each worker keeps a computed page for
DASHBOARD_CACHE_SECONDS (default 300; 0 turns caching off, and tests run without it unless they set it),
keyed by database, language, period, day and stale threshold. The page says when its figures were
computed and offers a refresh. The board is never cached: it is the live working tool.

One entry serves every reader, so a cached value must not depend on who reads it: what does (the name of a
confidential lead) is kept as data and resolved per request after the cache (crm.dashboard.figures.LeadName).
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from flask import current_app

from crm.core.database import utcnow

DEFAULT_SECONDS = 300
MAX_ENTRIES = 64

_lock = threading.Lock()
_entries: OrderedDict = OrderedDict()   # key -> (expires at, monotonic), value, computed at (UTC)


def ttl_seconds() -> int:
    configured = current_app.config.get("DASHBOARD_CACHE_SECONDS")
    if configured is None:
        return 0 if current_app.testing else DEFAULT_SECONDS
    return max(int(configured), 0)


def remember(key: tuple, compute: Callable, *, refresh: bool = False) -> tuple[object, datetime]:
    """The cached value for `key` and when it was computed; computes (and stores) it when missing,
    expired or `refresh` is asked for."""
    ttl = ttl_seconds()
    if ttl <= 0:
        return compute(), utcnow()
    key = (current_app.config.get("SQLALCHEMY_DATABASE_URI"),) + tuple(key)
    now = time.monotonic()
    if not refresh:
        with _lock:
            hit = _entries.get(key)
            if hit is not None and hit[0] > now:
                _entries.move_to_end(key)
                return hit[1], hit[2]
    value, computed_at = compute(), utcnow()
    with _lock:
        _entries[key] = (now + ttl, value, computed_at)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value, computed_at


def clear() -> None:
    with _lock:
        _entries.clear()
