"""drop lead indexes that a composite index already leads with

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 06:30:00

lead carried 25 indexes; six of them (kind, source, industry_code, stage, owner_id, created_at) are the first
column of a composite index (ix_lead_kind_created, ix_lead_source_created, ix_lead_industry_created,
ix_lead_stage_created, ix_lead_owner_stage, ix_lead_created_figures), which serves the same filters, sorts and
foreign-key checks. Each index is one more page written for every new lead: POST /enquiry is the write every
investor makes (issue 8).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

REDUNDANT = {
    'ix_lead_kind': ['kind'],
    'ix_lead_source': ['source'],
    'ix_lead_industry_code': ['industry_code'],
    'ix_lead_stage': ['stage'],
    'ix_lead_owner_id': ['owner_id'],
    'ix_lead_created_at': ['created_at'],
}


def upgrade():
    for name in REDUNDANT:
        op.drop_index(name, table_name='lead')


def downgrade():
    for name, columns in REDUNDANT.items():
        op.create_index(name, 'lead', columns, unique=False)
