"""The zone's annual targets ("2121": key projects, talents, investment, starts and completions)."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.core.database import utcnow
from crm.extensions import db

# The target figures, in the order the page shows them. Each is a column of Target.
TARGET_FIELDS = ("key_projects", "key_talents", "investment_wan", "started_or_completed", "signed_leads")


class Target(db.Model):
    """One year's targets, set by a manager; progress against them is computed, never stored."""

    __tablename__ = "target"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    key_projects: Mapped[int | None]
    key_talents: Mapped[int | None]
    investment_wan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    started_or_completed: Mapped[int | None]
    signed_leads: Mapped[int | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    updated_by: Mapped[User | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Target {self.year}>"
