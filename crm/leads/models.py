"""Leads, their activities and their audit trail."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.core.database import utcnow
from crm.extensions import db

Money = Numeric(14, 2)
Area = Numeric(12, 2)

OPEN_STAGES = ("enquiry", "contacted", "site_visit", "negotiation")
CLOSED_STAGES = ("signed", "lost")


class Industry(db.Model):
    """One of the zone's configured industry chains ("3+5")."""

    __tablename__ = "industry"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    def label(self, language: str) -> str:
        return self.name_zh if language == "zh" else self.name_en


class Lead(db.Model):
    __tablename__ = "lead"

    id: Mapped[int] = mapped_column(primary_key=True)
    status_token: Mapped[str] = mapped_column(String(43), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    company_name: Mapped[str] = mapped_column(String(200))
    company_key: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    contact_name: Mapped[str] = mapped_column(String(100))
    mobile: Mapped[str | None] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    industry_code: Mapped[str | None] = mapped_column(ForeignKey("industry.code"))
    intended_use: Mapped[str | None] = mapped_column(String(500))
    land_mu: Mapped[Decimal | None] = mapped_column(Area)
    floor_area_m2: Mapped[Decimal | None] = mapped_column(Area)
    budget_wan: Mapped[Decimal | None] = mapped_column(Money)
    timing: Mapped[str | None] = mapped_column(String(100))
    planned_investment_wan: Mapped[Decimal | None] = mapped_column(Money)
    expected_output_wan: Mapped[Decimal | None] = mapped_column(Money)
    expected_tax_wan: Mapped[Decimal | None] = mapped_column(Money)
    jobs: Mapped[int | None]
    message: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(20), default="enquiry")
    stage_entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    sponsoring_leader: Mapped[str | None] = mapped_column(String(100))
    sponsoring_leader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # Confidential (保密): only the owner, the sponsoring leader, managers and admins see who the investor is;
    # everyone else sees the codename (crm.privacy.visibility decides, at every place a lead is shown).
    is_confidential: Mapped[bool] = mapped_column(default=False, server_default=false())
    codename: Mapped[str | None] = mapped_column(String(40))
    priority: Mapped[int] = mapped_column(default=2)
    is_key: Mapped[bool] = mapped_column(default=False)
    next_action: Mapped[str | None] = mapped_column(String(300))
    next_action_due: Mapped[date | None] = mapped_column(index=True)
    lost_reason: Mapped[str | None] = mapped_column(String(500))
    hold_reason: Mapped[str | None] = mapped_column(String(500))
    consent: Mapped[bool] = mapped_column(default=False)
    consent_at: Mapped[datetime | None]
    consent_version: Mapped[str | None] = mapped_column(String(20))
    collides_with_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"), index=True)
    collision_reason: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_activity_at: Mapped[datetime | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    sponsoring_leader_user: Mapped[User | None] = relationship(foreign_keys=[sponsoring_leader_id])
    industry: Mapped[Industry | None] = relationship(lazy="joined")
    collides_with: Mapped["Lead | None"] = relationship(remote_side=[id], foreign_keys=[collides_with_id])
    activities: Mapped[list["Activity"]] = relationship(
        back_populates="lead", order_by="Activity.occurred_at.desc()", cascade="all, delete-orphan")
    events: Mapped[list["LeadEvent"]] = relationship(
        back_populates="lead", order_by="LeadEvent.at.desc()", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}
    # kind, source, industry_code, stage, owner_id and created_at have no index of their own: each leads a
    # composite one below or in crm/core/indexes.py, which serves it as well, and every index is one more
    # write for each new enquiry (migration 0008 dropped the single-column ones).
    __table_args__ = (
        Index("ix_lead_owner_stage", "owner_id", "stage"),
        Index("ix_lead_stage_created", "stage", "created_at"),
        # The board and dashboard read these instead of lead rows (migration 0002). Plain ascending columns:
        # a later SQLite batch migration that rebuilds the table would drop DESC.
        Index("ix_lead_board_cards", "stage", "priority", "last_activity_at", "created_at", "id"),
        Index("ix_lead_stage_figures", "stage", "owner_id", "stage_entered_at", "planned_investment_wan",
              "next_action_due", "last_activity_at", "created_at", "is_key"),
        Index("ix_lead_created_figures", "created_at", "stage", "source", "industry_code", "planned_investment_wan"),
    )

    @property
    def reference(self) -> str:
        """ZS-2026-000123: derived from the id, so it needs no second write and can never collide."""
        year = (self.created_at or utcnow()).year
        return f"ZS-{year}-{self.id:06d}" if self.id else ""

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    def __repr__(self) -> str:
        return f"<Lead {self.reference} {self.stage}>"


class Activity(db.Model):
    """A call, WeChat exchange, visit, meeting, email or note on a lead."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(Text, default="")
    next_action: Mapped[str | None] = mapped_column(String(300))
    next_action_due: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lead: Mapped[Lead] = relationship(back_populates="activities")
    user: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (Index("ix_activity_lead_kind", "lead_id", "kind"),)


class LeadEvent(db.Model):
    """One line of a lead's audit trail: who changed what, when, from what to what."""

    __tablename__ = "lead_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))  # created, field, stage, assigned, collision
    field: Mapped[str | None] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    # Stage history (funnel reach, time in stage) is read from this index alone.
    __table_args__ = (Index("ix_lead_event_history", "field", "lead_id", "at", "new_value"),)

    lead: Mapped[Lead] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship(lazy="joined")
