"""The zone's industry list as form choices, kept per worker.

Every enquiry form (public page and partner API) and every lead form offers the industries; loading them on
each request was a measurable share of an enquiry's cost (issue 8), while the list only changes when the
seed or an administrator's script writes it. So each worker keeps it for INDUSTRY_CACHE_SECONDS (default
300; 0 turns caching off, and tests run without it unless they set it), and forgets it at once when this
worker writes an industry. Another worker sees such a change within the cache time.
"""

import threading
import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from crm.extensions import db
from crm.leads.models import Industry

DEFAULT_SECONDS = 300

_lock = threading.Lock()
_entries: dict[str, tuple[float, tuple["IndustryChoice", ...]]] = {}  # database URL -> (expires at, choices)


@dataclass(frozen=True)
class IndustryChoice:
    """What a form needs of an industry; plain values, safe to share between requests."""

    code: str
    name_zh: str
    name_en: str

    def label(self, language: str) -> str:
        return self.name_zh if language == "zh" else self.name_en


def ttl_seconds() -> int:
    configured = current_app.config.get("INDUSTRY_CACHE_SECONDS")
    if configured is None:
        return 0 if current_app.testing else DEFAULT_SECONDS
    return max(int(configured), 0)


def active_choices() -> tuple[IndustryChoice, ...]:
    """The active industries in their display order."""
    ttl = ttl_seconds()
    key = current_app.config.get("SQLALCHEMY_DATABASE_URI")
    now = time.monotonic()
    if ttl:
        with _lock:
            hit = _entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
    rows = db.session.execute(select(Industry.code, Industry.name_zh, Industry.name_en)
                              .where(Industry.is_active.is_(True)).order_by(Industry.position))
    choices = tuple(IndustryChoice(code, name_zh, name_en) for code, name_zh, name_en in rows)
    if ttl:
        with _lock:
            _entries[key] = (now + ttl, choices)
    return choices


def forget() -> None:
    with _lock:
        _entries.clear()


@event.listens_for(Session, "after_flush")
def _forget_on_write(session: Session, _context) -> None:
    if any(isinstance(obj, Industry) for obj in (*session.new, *session.dirty, *session.deleted)):
        forget()
