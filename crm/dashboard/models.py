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


# ---- Read indexes for the board and the dashboard (created by migration 0002) ----
# The board shows each column's first cards by priority, then latest activity, then newest: this index
# hands them over in that order (per priority, read backwards), so a column costs ~50 index steps. The covering
# index answers the column totals, stale leads, officers' backlog, weighted pipeline and targets without
# reading lead rows; the created_at one serves cohorts, sources and industries; the lead_event one serves
# stage history (funnel reach, time in stage).
# They belong with the Lead and LeadEvent models; until crm/leads/models.py declares them, they are
# declared here. If it does (same names), these definitions step aside.
def _declare_read_indexes() -> None:
    from sqlalchemy import Index

    from crm.leads.models import Lead, LeadEvent

    wanted = {
        # Plain ascending columns: read backwards per priority (see crm.board.queries.column_cards). DESC
        # columns would be lost when a later SQLite batch migration rebuilds the lead table.
        "ix_lead_board_cards": (Lead, (Lead.stage, Lead.priority, Lead.last_activity_at, Lead.created_at,
                                       Lead.id)),
        "ix_lead_stage_figures": (Lead, (Lead.stage, Lead.owner_id, Lead.stage_entered_at,
                                         Lead.planned_investment_wan, Lead.next_action_due, Lead.last_activity_at,
                                         Lead.created_at, Lead.is_key)),
        "ix_lead_created_figures": (Lead, (Lead.created_at, Lead.stage, Lead.source, Lead.industry_code,
                                           Lead.planned_investment_wan)),
        "ix_lead_event_history": (LeadEvent, (LeadEvent.field, LeadEvent.lead_id, LeadEvent.at,
                                              LeadEvent.new_value)),
    }
    for name, (model, columns) in wanted.items():
        if not any(index.name == name for index in model.__table__.indexes):
            Index(name, *columns)


_declare_read_indexes()
