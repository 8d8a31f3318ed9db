"""The daily digest: each officer's overdue follow-ups, and a per-officer count for managers.

Run by cron as `flask --app wsgi crm send-digest`. Overdue means what "My day" shows as overdue: an open or
on-hold lead whose next action was due before today. Running it twice on one day sends nothing new.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from crm.auth.models import User
from crm.extensions import db
from crm.leads.models import OPEN_STAGES, Lead
from crm.notifications import delivery, messages

ROWS_PER_DIGEST = 30
DIGEST_STAGES = (*OPEN_STAGES, "on_hold")


@dataclass
class DigestResult:
    officers: int  # officers with at least one overdue follow-up
    overdue: int  # overdue follow-ups in all
    queued: int  # emails put in the outbox now


def _overdue(today: date):
    return (Lead.stage.in_(DIGEST_STAGES), Lead.next_action_due < today, Lead.owner_id.is_not(None))


def overdue_counts(today: date) -> list[tuple[User, int]]:
    """Active owners with overdue follow-ups and how many, most first (one GROUP BY)."""
    count = func.count(Lead.id).label("overdue")
    query = (select(User, count).join(Lead, Lead.owner_id == User.id).where(*_overdue(today), User.active.is_(True))
             .group_by(User.id).order_by(count.desc(), User.name))
    return [(user, n) for user, n in db.session.execute(query)]


def overdue_for(user: User, today: date, limit: int = ROWS_PER_DIGEST) -> list[tuple[Lead, int]]:
    """The user's overdue leads, longest overdue first, with days overdue."""
    leads = db.session.scalars(select(Lead).where(*_overdue(today), Lead.owner_id == user.id)
                               .order_by(Lead.next_action_due, Lead.id).limit(limit))
    return [(lead, (today - lead.next_action_due).days) for lead in leads]


def send_digest(today: date) -> DigestResult:
    """Queue today's digests (once per reader and day) and commit; delivery follows the commit."""
    counts = overdue_counts(today)
    keys = {f"digest:{user.id}:{today.isoformat()}": (user, n) for user, n in counts}
    managers = list(db.session.scalars(select(User).where(User.active.is_(True), User.role == "manager")))
    team_keys = {f"team:{user.id}:{today.isoformat()}": user for user in managers} if counts else {}
    done = set(db.session.scalars(select(delivery.Delivery.dedupe_key).where(
        delivery.Delivery.dedupe_key.in_([*keys, *team_keys])))) if keys else set()
    queued = 0
    for key, (user, n) in keys.items():
        if key in done:
            continue
        subject, body = messages.digest(user, overdue_for(user, today), n, today)
        queued += delivery.queue_email(user.email, subject, body, kind="digest", user_id=user.id,
                                       dedupe_key=key) is not None
    team = [(user.name, n) for user, n in counts]
    for key, manager in team_keys.items():
        if key in done:
            continue
        subject, body = messages.team_digest(manager, team, today)
        queued += delivery.queue_email(manager.email, subject, body, kind="digest", user_id=manager.id,
                                       dedupe_key=key) is not None
    db.session.commit()
    return DigestResult(officers=len(counts), overdue=sum(n for _user, n in counts), queued=queued)
