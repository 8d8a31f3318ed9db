"""Read indexes for the list pages' filters and sorts (created by migration 0007).

They belong with the models of other features; they are declared here together, the way crm/dashboard/models.py
declares the board's, so the read side's index plan can be read in one place. A definition steps aside when
the model declares an index of the same name.

- Lead list: every filter has an index, and with the default sort (newest first) a composite one, so the first
  page costs ~50 index steps whatever the zone's size; every sort has an index that leads with its column
  (next_action_due, company_key and last_activity_at on the model, created_at through ix_lead_created_figures,
  planned investment here).
- Dashboard: "activities in the last 7 days" per officer reads activity by time, then by user.
- Board (PostgreSQL): see POSTGRESQL_INDEXES.
- Project register: the realised tax of a year per project, the production milestone and the open, overdue
  milestones are read from covering indexes instead of the tables (the register sorts by tax per mu, so it
  computes these for every project).
"""

from sqlalchemy import Index

# PostgreSQL only, created by migration 0007 and left alone by autogenerate (crm.core.search.include_name).
# The board orders a column's cards by last activity DESC NULLS LAST: PostgreSQL's DESC puts NULLs first, so
# ix_lead_board_cards (last_activity_at DESC) cannot hand them over in that order there, and each column
# sorted its whole stage (~30 ms a column at 100,000 leads). SQLite sorts NULLs last under DESC anyway and
# has no NULLS LAST in index definitions, so there the board's own index serves.
POSTGRESQL_INDEXES = {
    "ix_lead_board_cards_pg": "CREATE INDEX IF NOT EXISTS ix_lead_board_cards_pg ON lead "
                              "(stage, priority, last_activity_at DESC NULLS LAST, created_at DESC, id DESC)",
}

READ_INDEXES = {
    "ix_lead_planned_investment": ("lead", ("planned_investment_wan",)),
    "ix_lead_kind_created": ("lead", ("kind", "created_at")),
    "ix_lead_source_created": ("lead", ("source", "created_at")),
    "ix_lead_industry_created": ("lead", ("industry_code", "created_at")),
    "ix_lead_owner_created": ("lead", ("owner_id", "created_at")),
    "ix_activity_occurred_at": ("activity", ("occurred_at",)),
    "ix_activity_user_occurred": ("activity", ("user_id", "occurred_at")),
    "ix_tax_record_year_project": ("tax_record", ("year", "project_id", "amount_wan")),
    "ix_milestone_kind_project": ("milestone", ("kind", "project_id", "actual_on")),
    "ix_milestone_open": ("milestone", ("actual_on", "planned_on", "project_id")),
}


def _declare() -> None:
    from crm.leads.models import Activity, Lead
    from crm.projects.models import Milestone
    from crm.tax.models import TaxRecord

    tables = {model.__tablename__: model.__table__ for model in (Lead, Activity, Milestone, TaxRecord)}
    for name, (table_name, columns) in READ_INDEXES.items():
        table = tables[table_name]
        if not any(index.name == name for index in table.indexes):
            Index(name, *(table.c[column] for column in columns))


_declare()
