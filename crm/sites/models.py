"""The zone's own inventory of standard factories, land plots and offices, and its audit trail."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.core.database import utcnow
from crm.extensions import db
from crm.leads.models import Lead

SITE_KINDS_CODES = ("standard_factory", "land_plot", "office")
SITE_STATUS_CODES = ("available", "reserved", "let", "sold")


class Site(db.Model):
    """A standard factory, a land plot or an office the zone rents or sells.

    A site is reserved for at most one lead: the reservation lives in the site row itself, so two leads
    can never hold it, and `reserve_site` takes it with a conditional UPDATE that only one writer can win.
    """

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    park: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    area_m2: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # floor area (factories, offices)
    land_mu: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # land area (plots)
    floors: Mapped[int | None]
    ceiling_height_m: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    floor_load_t_m2: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # tonnes per m²
    power_kva: Mapped[int | None]
    rent_yuan_m2_month: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    price_wan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    status: Mapped[str] = mapped_column(String(20), default="available", index=True)
    reserved_for_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id", ondelete="SET NULL"), index=True)
    reserved_until: Mapped[date | None]
    reserved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reserved_at: Mapped[datetime | None]
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    reserved_for: Mapped[Lead | None] = relationship(foreign_keys=[reserved_for_id])
    reserved_by: Mapped[User | None] = relationship(foreign_keys=[reserved_by_id])
    project = relationship("Project", back_populates="sites", foreign_keys=[project_id])
    events: Mapped[list["SiteEvent"]] = relationship(
        back_populates="site", order_by="[SiteEvent.at.desc(), SiteEvent.id.desc()]", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # A reservation is a lead and an expiry together, and only a reserved site has one.
        CheckConstraint("(status = 'reserved') = (reserved_for_id IS NOT NULL)", name="reservation_lead"),
        CheckConstraint("status <> 'reserved' OR reserved_until IS NOT NULL", name="reservation_expiry"),
        CheckConstraint("status IN ('available', 'reserved', 'let', 'sold')", name="status"),
        CheckConstraint("kind IN ('standard_factory', 'land_plot', 'office')", name="kind"),
        Index("ix_site_kind_status", "kind", "status"),
    )

    @property
    def size(self) -> Decimal | None:
        """The figure a site is compared by: mu for land, m² for buildings."""
        return self.land_mu if self.kind == "land_plot" else self.area_m2

    def reservation_expired(self, today: date) -> bool:
        return self.status == "reserved" and self.reserved_until is not None and self.reserved_until < today

    def __repr__(self) -> str:
        return f"<Site {self.code} {self.status}>"


class SiteEvent(db.Model):
    """One line of a site's audit trail: created, edited, reserved, released, let, sold, imported."""

    __tablename__ = "site_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id", ondelete="SET NULL"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))  # created, field, status
    field: Mapped[str | None] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    site: Mapped[Site] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship(lazy="joined")
    lead: Mapped[Lead | None] = relationship()
