"""Tax paid by companies in the zone, as the tax office reports it, and the imports that brought it."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.core.database import utcnow
from crm.extensions import db


class TaxImport(db.Model):
    """One import of the tax office's spreadsheet that changed something (a file that changes nothing
    leaves no trace, so importing the same file twice is a no-op)."""

    __tablename__ = "tax_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int] = mapped_column(default=0)
    inserted: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    matched: Mapped[int] = mapped_column(default=0)  # rows linked to a project
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()


class TaxRecord(db.Model):
    """Tax one company paid for one period and one kind of tax.

    A record belongs to a taxpayer (its credit code, or its normalised name when the office gave none) and is
    unique per taxpayer, period and kind: importing a row again updates it instead of adding a second one.
    It is linked to a project when the taxpayer is one of the zone's projects.
    """

    __tablename__ = "tax_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    taxpayer_key: Mapped[str] = mapped_column(String(210))
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    company_name: Mapped[str] = mapped_column(String(200))
    company_key: Mapped[str] = mapped_column(String(200), index=True)  # normalised name, for name matching
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"))
    period: Mapped[str] = mapped_column(String(7))  # 2025Q1 or 2025-03
    year: Mapped[int]
    quarter: Mapped[int]
    month: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(20))
    amount_wan: Mapped[Decimal] = mapped_column(Numeric(16, 4))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("tax_import.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    project = relationship("Project")

    __table_args__ = (
        UniqueConstraint("taxpayer_key", "period", "kind", name="uq_tax_record_taxpayer_period_kind"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter"),
        Index("ix_tax_record_project_year", "project_id", "year", "quarter"),
        Index("ix_tax_record_year", "year"),
    )


class TaxNameRejection(db.Model):
    """An officer said a taxpayer whose name resembles a project's company is not that company."""

    __tablename__ = "tax_name_rejection"

    id: Mapped[int] = mapped_column(primary_key=True)
    taxpayer_key: Mapped[str] = mapped_column(String(210))
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("taxpayer_key", "project_id", name="uq_tax_name_rejection_pair"),)
