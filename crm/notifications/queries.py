from sqlalchemy import func, select

from crm.extensions import db
from crm.notifications.models import Notification


def unread_count(user) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def recent_for(user, limit: int = 50) -> list[Notification]:
    """The user's latest notices with their leads, newest first."""
    from sqlalchemy.orm import joinedload

    query = (select(Notification).options(joinedload(Notification.lead))
             .where(Notification.user_id == user.id).order_by(Notification.created_at.desc(), Notification.id.desc())
             .limit(limit))
    return list(db.session.scalars(query))
