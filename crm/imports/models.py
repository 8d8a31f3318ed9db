"""Lead imports: the uploaded file's rows staged between steps, and the record of what the import did."""

import json
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.core.database import utcnow
from crm.extensions import db

# An import goes mapping → preview → done; it may be discarded before it is done.
STATUSES = ("mapping", "preview", "committing", "done", "discarded")


class LeadImport(db.Model):
    """One uploaded contact list: who, when, which file, how its columns map, and what the commit did."""

    __tablename__ = "lead_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(12), default="mapping", index=True)
    header_json: Mapped[str] = mapped_column(Text, default="[]")  # the file's header cells
    header_row: Mapped[int] = mapped_column(default=1)
    mapping_json: Mapped[str] = mapped_column(Text, default="{}")  # lead field → column index
    defaults_json: Mapped[str] = mapped_column(Text, default="{}")  # kind, source, owner for blank cells
    total_rows: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    merged: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    committed_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship(lazy="joined")

    @property
    def header(self) -> list[str]:
        return json.loads(self.header_json or "[]")

    @property
    def mapping(self) -> dict[str, int]:
        return json.loads(self.mapping_json or "{}")

    @property
    def defaults(self) -> dict:
        return json.loads(self.defaults_json or "{}")

    @property
    def is_done(self) -> bool:
        return self.status == "done"


class LeadImportRow(db.Model):
    """One data row of an uploaded file: its cells, then (after mapping) its checked values and collisions,
    the choice made for a collision, and finally what happened to it."""

    __tablename__ = "lead_import_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("lead_import.id", ondelete="CASCADE"))
    number: Mapped[int]  # the row number the spreadsheet program shows
    cells_json: Mapped[str] = mapped_column(Text)
    values_json: Mapped[str | None] = mapped_column(Text)  # lead fields, when the row is valid
    errors_json: Mapped[str | None] = mapped_column(Text)  # [[column, message], ...]
    company_name: Mapped[str | None] = mapped_column(String(200))  # shown in lists without decoding JSON
    match_lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id", ondelete="SET NULL"))
    match_reason: Mapped[str | None] = mapped_column(String(20))
    duplicate_of: Mapped[int | None]  # the number of an earlier row of the file for the same investor
    duplicate_reason: Mapped[str | None] = mapped_column(String(20))
    choice: Mapped[str | None] = mapped_column(String(10))  # skip, merge, create (for collisions)
    outcome: Mapped[str | None] = mapped_column(String(10))  # created, merged, skipped, error
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id", ondelete="SET NULL"))

    match_lead = relationship("Lead", foreign_keys=[match_lead_id])
    lead = relationship("Lead", foreign_keys=[lead_id])

    __table_args__ = (
        Index("ix_lead_import_row_import_number", "import_id", "number"),
        Index("ix_lead_import_row_match_lead_id", "match_lead_id"),
        Index("ix_lead_import_row_lead_id", "lead_id"),
    )

    @property
    def cells(self) -> list[str]:
        return json.loads(self.cells_json or "[]")

    @property
    def values(self) -> dict | None:
        return json.loads(self.values_json) if self.values_json else None

    @property
    def errors(self) -> list[list[str]]:
        return json.loads(self.errors_json) if self.errors_json else []

    @property
    def state(self) -> str:
        """error, collision (with a lead on record), duplicate (of an earlier row) or new."""
        if self.errors_json:
            return "error"
        if self.match_lead_id:
            return "collision"
        if self.duplicate_of:
            return "duplicate"
        return "new"
