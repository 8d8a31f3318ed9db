"""The privacy audit: every export and erasure of an enquirer's data, and every change of confidentiality."""

import json
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.core.database import utcnow
from crm.extensions import db


class PrivacyEvent(db.Model):
    """Who exported, erased or classified which leads, when, and why.

    Kept apart from the lead audit (LeadEvent): erasing a lead must not erase the record that it was erased.
    It holds no personal data itself: the person is named by lead ids and a masked search.
    """

    __tablename__ = "privacy_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # export, erase, confidential, not_confidential
    subject: Mapped[str | None] = mapped_column(String(120))  # how the person was found, masked
    lead_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of ints
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON: format, counts, codename...
    reason: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User | None] = relationship(lazy="joined")

    @property
    def ids(self) -> list[int]:
        return list(json.loads(self.lead_ids or "[]"))

    @property
    def details(self) -> dict:
        return dict(json.loads(self.detail or "{}"))
