"""References of merged leads: the old reference (and id) keeps leading to the lead it was merged into."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from crm.core.database import utcnow
from crm.extensions import db


class LeadAlias(db.Model):
    """A merged-away lead: its reference and id, the lead that absorbed it, and what it held."""

    __tablename__ = "lead_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    old_lead_id: Mapped[int] = mapped_column(unique=True)  # not a foreign key: that lead no longer exists
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"), index=True)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
    snapshot: Mapped[str] = mapped_column(Text, default="{}")  # the merged lead's fields, as JSON


def kept_lead_id(old_lead_id: int) -> int | None:
    """The lead an old lead id was merged into, or None."""
    return db.session.scalar(select(LeadAlias.lead_id).where(LeadAlias.old_lead_id == old_lead_id))


def alias_condition(lead_id_column, old_lead_id: int):
    """SQL: `lead_id_column` is the lead that absorbed `old_lead_id` (for searches by an old reference)."""
    return lead_id_column.in_(select(LeadAlias.lead_id).where(LeadAlias.old_lead_id == old_lead_id))
