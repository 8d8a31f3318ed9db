"""indexes for every list filter and sort; scalable lead search

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 00:00:00

Read indexes for the lead list's filters and sorts, the dashboard's activity reads and the project
register's figures (declared in crm/core/indexes.py), and the search index: on SQLite an FTS5 trigram table over lead with its sync
triggers, on PostgreSQL pg_trgm GIN indexes. The statements come from crm.core.search so a later migration
that rebuilds `lead` in batch mode (which drops the triggers with the old table) can run them again.
"""
from alembic import op

from crm.core import indexes, search

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index('ix_lead_planned_investment', ['planned_investment_wan'], unique=False)
        batch_op.create_index('ix_lead_kind_created', ['kind', 'created_at'], unique=False)
        batch_op.create_index('ix_lead_source_created', ['source', 'created_at'], unique=False)
        batch_op.create_index('ix_lead_industry_created', ['industry_code', 'created_at'], unique=False)
        batch_op.create_index('ix_lead_owner_created', ['owner_id', 'created_at'], unique=False)
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index('ix_activity_occurred_at', ['occurred_at'], unique=False)
        batch_op.create_index('ix_activity_user_occurred', ['user_id', 'occurred_at'], unique=False)
    with op.batch_alter_table('tax_record', schema=None) as batch_op:
        batch_op.create_index('ix_tax_record_year_project', ['year', 'project_id', 'amount_wan'], unique=False)
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.create_index('ix_milestone_kind_project', ['kind', 'project_id', 'actual_on'], unique=False)
        batch_op.create_index('ix_milestone_open', ['actual_on', 'planned_on', 'project_id'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for statement in search.sqlite_fts_ddl():
            op.execute(statement)
    elif dialect == 'postgresql':
        for statement in search.postgresql_trigram_ddl() + list(indexes.POSTGRESQL_INDEXES.values()):
            op.execute(statement)
    # Fresh statistics, so the planner picks the filter's index or the sort's index well from the start.
    op.execute('ANALYZE')


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for statement in search.sqlite_fts_drop_ddl():
            op.execute(statement)
    elif dialect == 'postgresql':
        for statement in search.postgresql_trigram_drop_ddl() + [
                f"DROP INDEX IF EXISTS {name}" for name in indexes.POSTGRESQL_INDEXES]:
            op.execute(statement)
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_index('ix_milestone_open')
        batch_op.drop_index('ix_milestone_kind_project')
    with op.batch_alter_table('tax_record', schema=None) as batch_op:
        batch_op.drop_index('ix_tax_record_year_project')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_user_occurred')
        batch_op.drop_index('ix_activity_occurred_at')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_owner_created')
        batch_op.drop_index('ix_lead_industry_created')
        batch_op.drop_index('ix_lead_source_created')
        batch_op.drop_index('ix_lead_kind_created')
        batch_op.drop_index('ix_lead_planned_investment')
