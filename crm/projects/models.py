"""Investment projects: what a signed lead becomes, its milestones, capital in place and problems."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.core.database import utcnow
from crm.extensions import db
from crm.leads.models import Industry, Lead

Money = Numeric(14, 2)
Area = Numeric(12, 2)

# The "five batches" (五个一批): a project's phase follows its latest milestone reached.
PHASES = ("planned", "signed", "started", "completed", "in_production")
MILESTONES = ("signed", "land_handover", "construction_start", "completion", "production")
# Which phase a milestone's actual date puts a project in.
PHASE_OF_MILESTONE = {
    "signed": "signed", "land_handover": "signed", "construction_start": "started",
    "completion": "completed", "production": "in_production",
}


class Project(db.Model):
    """A project in the register (项目库), usually created when a lead is signed."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    company_name: Mapped[str] = mapped_column(String(200))
    company_key: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id", ondelete="SET NULL"), unique=True)
    industry_code: Mapped[str | None] = mapped_column(ForeignKey("industry.code"), index=True)
    description: Mapped[str | None] = mapped_column(String(500))
    phase: Mapped[str] = mapped_column(String(20), default="signed", index=True)
    investment_wan: Mapped[Decimal | None] = mapped_column(Money)  # committed total investment
    land_mu: Mapped[Decimal | None] = mapped_column(Area)
    floor_area_m2: Mapped[Decimal | None] = mapped_column(Area)
    promised_tax_wan: Mapped[Decimal | None] = mapped_column(Money)  # promised annual tax
    expected_output_wan: Mapped[Decimal | None] = mapped_column(Money)
    jobs: Mapped[int | None]
    talents: Mapped[int] = mapped_column(default=0)  # key talents introduced
    is_key: Mapped[bool] = mapped_column(default=False, index=True)
    is_four_new: Mapped[bool] = mapped_column(default=False)
    is_500_strong: Mapped[bool] = mapped_column(default=False)
    sponsoring_leader: Mapped[str | None] = mapped_column(String(100), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    lead: Mapped[Lead | None] = relationship()
    industry: Mapped[Industry | None] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(lazy="joined")
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="Milestone.position")
    sites = relationship("Site", back_populates="project", foreign_keys="Site.project_id",
                         order_by="Site.code")
    capital: Mapped[list["CapitalRecord"]] = relationship(
        back_populates="project", cascade="all, delete-orphan",
        order_by="[CapitalRecord.year, CapitalRecord.quarter]")
    problems: Mapped[list["Problem"]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="[Problem.due_on, Problem.id]")
    events: Mapped[list["ProjectEvent"]] = relationship(
        back_populates="project", cascade="all, delete-orphan",
        order_by="[ProjectEvent.at.desc(), ProjectEvent.id.desc()]")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("phase IN ('planned', 'signed', 'started', 'completed', 'in_production')", name="phase"),
        Index("ix_project_phase_industry", "phase", "industry_code"),
    )

    def milestone(self, kind: str) -> "Milestone | None":
        return next((m for m in self.milestones if m.kind == kind), None)

    def __repr__(self) -> str:
        return f"<Project {self.code} {self.phase}>"


class Milestone(db.Model):
    """One of a project's milestones: when it was planned and when it actually happened."""

    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(default=0)
    planned_on: Mapped[date | None] = mapped_column(index=True)
    actual_on: Mapped[date | None]

    project: Mapped[Project] = relationship(back_populates="milestones")

    __table_args__ = (
        UniqueConstraint("project_id", "kind", name="uq_milestone_project_kind"),
        Index("ix_milestone_kind_planned", "kind", "planned_on"),
    )

    def is_late(self, today: date) -> bool:
        """Done after its planned date, or not done and the planned date has passed."""
        if self.planned_on is None:
            return False
        if self.actual_on is not None:
            return self.actual_on > self.planned_on
        return self.planned_on < today

    def days_late(self, today: date) -> int:
        if not self.is_late(today):
            return 0
        return ((self.actual_on or today) - self.planned_on).days


class CapitalRecord(db.Model):
    """Capital actually in place (到资) in one quarter, against the committed investment."""

    __tablename__ = "capital_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    year: Mapped[int]
    quarter: Mapped[int]
    amount_wan: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(String(300))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(back_populates="capital")

    __table_args__ = (
        UniqueConstraint("project_id", "year", "quarter", name="uq_capital_record_project_period"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter"),
        CheckConstraint("amount_wan >= 0", name="amount"),
        Index("ix_capital_record_year", "year"),
    )


class Problem(db.Model):
    """A problem blocking a project (一单四制): what, who is responsible, by when, and its follow-up."""

    __tablename__ = "problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(20))
    department: Mapped[str] = mapped_column(String(100))
    responsible: Mapped[str | None] = mapped_column(String(100))
    due_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    follow_up: Mapped[str | None] = mapped_column(Text)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    project: Mapped[Project] = relationship(back_populates="problems")
    raised_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint("status IN ('open', 'in_progress', 'resolved')", name="status"),
    )

    @property
    def is_open(self) -> bool:
        return self.status != "resolved"

    def is_overdue(self, today: date) -> bool:
        """An open problem past its due date: it escalates to the project's sponsoring leader."""
        return self.is_open and self.due_on < today


class ProjectEvent(db.Model):
    """One line of a project's audit trail."""

    __tablename__ = "project_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))  # created, field, milestone, capital, problem, site
    field: Mapped[str | None] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    project: Mapped[Project] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship(lazy="joined")
