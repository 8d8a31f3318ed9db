"""Telling people what concerns them: an in-app notice always; an email when SMTP is configured; a line in
the group chat (webhook) for new enquiries and collisions when a webhook is configured.

Emails and webhook messages go into the outbox in the caller's transaction and are sent after it commits
(crm/notifications/delivery.py), so a dead mail server never breaks the request that caused them.
"""

import json
from functools import cache

from sqlalchemy import DateTime, Integer, and_, bindparam, insert, literal, or_, select

from crm.auth.models import User
from crm.core.database import utcnow
from crm.extensions import db
from crm.notifications import delivery, messages
from crm.notifications.models import Notification


def _add(user_id: int, lead, kind: str, **payload) -> None:
    db.session.add(Notification(user_id=user_id, lead_id=lead.id, kind=kind, payload=json.dumps(payload)))


def _email(user: User, lead, kind: str, subject_body: tuple[str, str]) -> None:
    subject, body = subject_body
    delivery.queue_email(user.email, subject, body, kind=kind, user_id=user.id, lead_id=lead.id)


def notify_collision(new_lead, existing_lead, reason: str) -> None:
    """Both owners hear that they may be working the same investor."""
    owners = {new_lead.owner_id, existing_lead.owner_id} - {None}
    for owner_id in owners:
        mine, other = (new_lead, existing_lead) if owner_id == new_lead.owner_id else (existing_lead, new_lead)
        _add(owner_id, mine, "collision", other_lead_id=other.id, reason=reason)
        if delivery.email_enabled():
            owner = db.session.get(User, owner_id)
            if owner is not None and owner.is_active:
                _email(owner, mine, "collision", messages.collision(mine, other, reason, owner))
    if delivery.webhook_enabled():
        delivery.queue_webhook(messages.group_collision(new_lead, existing_lead, reason), kind="collision",
                               lead_id=new_lead.id)


def notify_assigned(lead, owner: User, by: User) -> None:
    _add(owner.id, lead, "assigned", by=by.name)
    if delivery.email_enabled():
        _email(owner, lead, "assigned", messages.assigned(lead, owner, by.name))


def notify_reservation_expired(user_id: int, lead_id: int, *, site_id: int, site_code: str) -> None:
    """The officer who reserved a site hears that the reservation ran out and the site is free again."""
    db.session.add(Notification(user_id=user_id, lead_id=lead_id, kind="reservation_expired",
                                payload=json.dumps({"site_id": site_id, "site_code": site_code})))


def _new_enquiry_recipient():
    """Active managers and duty officers: someone must see every new enquiry within minutes."""
    return and_(User.active.is_(True), or_(User.role == "manager", User.is_duty.is_(True)))


def new_enquiry_recipients() -> list[User]:
    return list(db.session.scalars(select(User).where(_new_enquiry_recipient()).order_by(User.id)))


def notify_new_enquiry(lead) -> None:
    """Managers and duty officers hear of every new enquiry so none waits unseen."""
    db.session.connection().execute(_new_enquiry_notices(), {"lead_id": lead.id, "at": utcnow()})
    if delivery.email_enabled():
        for user in new_enquiry_recipients():
            _email(user, lead, "new_enquiry", messages.new_enquiry(lead, user))
    if delivery.webhook_enabled():
        delivery.queue_webhook(messages.group_new_enquiry(lead), kind="new_enquiry", lead_id=lead.id)


@cache
def _new_enquiry_notices():
    # Every public enquiry runs this (issue 8): one INSERT ... SELECT, built once, instead of loading the
    # recipients and adding a notice for each.
    return insert(Notification.__table__).from_select(
        ["user_id", "lead_id", "kind", "payload", "created_at"],
        select(User.id, bindparam("lead_id", type_=Integer), literal("new_enquiry"), literal("{}"),
               bindparam("at", type_=DateTime)).where(_new_enquiry_recipient()))


def mark_read(user: User, notice_ids: list[int] | None = None) -> int:
    """Mark the user's notices read (all of them when no ids are given); returns how many changed."""
    query = db.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notice_ids is not None:
        query = query.where(Notification.id.in_(notice_ids))
    return db.session.execute(query.values(read_at=utcnow())).rowcount
