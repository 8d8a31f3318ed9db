"""In-app notices for users: a collision, an assignment, a new enquiry."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.database import utcnow
from crm.extensions import db


class Notification(db.Model):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # collision, assigned, new_enquiry
    # Stored as data, rendered in the reader's language: the reader may not share the writer's.
    payload: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    lead = relationship("Lead")

    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)


class Delivery(db.Model):
    """One email or group-webhook message waiting to go out (the outbox).

    Written in the same transaction as the change it reports, so a message is never lost when the mail
    server or the chat webhook is down; sent after the commit, and retried with backoff until it goes.
    `next_attempt_at` doubles as a lease: whoever moves it forward with a conditional UPDATE owns the attempt.
    """

    __tablename__ = "notification_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))  # email, webhook
    kind: Mapped[str] = mapped_column(String(20))  # new_enquiry, assigned, collision, digest
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id", ondelete="SET NULL"))
    recipient: Mapped[str | None] = mapped_column(String(254))  # the email address; webhooks use the configured URL
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # One digest per officer and day, however often cron runs the command.
    dedupe_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending, sent, failed (gave up)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_notification_delivery_due", "status", "next_attempt_at"),)
