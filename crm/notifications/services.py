"""Telling people what concerns them. In-app notices now; email and webhooks plug in here later."""

import json

from sqlalchemy import select

from crm.auth.models import User
from crm.extensions import db
from crm.notifications.models import Notification


def _add(user_id: int, lead, kind: str, **payload) -> None:
    db.session.add(Notification(user_id=user_id, lead_id=lead.id, kind=kind, payload=json.dumps(payload)))


def notify_collision(new_lead, existing_lead, reason: str) -> None:
    """Both owners hear that they may be working the same investor."""
    owners = {new_lead.owner_id, existing_lead.owner_id} - {None}
    for owner_id in owners:
        _add(owner_id, new_lead if owner_id == new_lead.owner_id else existing_lead, "collision",
             other_lead_id=existing_lead.id if owner_id == new_lead.owner_id else new_lead.id, reason=reason)


def notify_assigned(lead, owner: User, by: User) -> None:
    _add(owner.id, lead, "assigned", by=by.name)


def notify_new_enquiry(lead) -> None:
    """Managers hear of every new enquiry so none waits unseen."""
    managers = db.session.scalars(select(User.id).where(User.role == "manager", User.active.is_(True)))
    for user_id in managers:
        _add(user_id, lead, "new_enquiry")


def mark_read(user: User, notice_ids: list[int] | None = None) -> int:
    """Mark the user's notices read (all of them when no ids are given); returns how many changed."""
    from crm.core.database import utcnow

    query = db.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notice_ids is not None:
        query = query.where(Notification.id.in_(notice_ids))
    return db.session.execute(query.values(read_at=utcnow())).rowcount
