"""imports and aliases

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lead_alias',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('old_lead_id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('merged_by_id', sa.Integer(), nullable=True),
    sa.Column('merged_at', sa.DateTime(), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_lead_alias_lead_id_lead'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merged_by_id'], ['user.id'], name=op.f('fk_lead_alias_merged_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_alias')),
    sa.UniqueConstraint('old_lead_id', name=op.f('uq_lead_alias_old_lead_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_lead_alias_reference'))
    )
    with op.batch_alter_table('lead_alias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_alias_lead_id'), ['lead_id'], unique=False)

    op.create_table('lead_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('header_json', sa.Text(), nullable=False),
    sa.Column('header_row', sa.Integer(), nullable=False),
    sa.Column('mapping_json', sa.Text(), nullable=False),
    sa.Column('defaults_json', sa.Text(), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('merged', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('committed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_lead_import_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_import'))
    )
    with op.batch_alter_table('lead_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_import_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_import_user_id'), ['user_id'], unique=False)

    op.create_table('lead_import_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('cells_json', sa.Text(), nullable=False),
    sa.Column('values_json', sa.Text(), nullable=True),
    sa.Column('errors_json', sa.Text(), nullable=True),
    sa.Column('company_name', sa.String(length=200), nullable=True),
    sa.Column('match_lead_id', sa.Integer(), nullable=True),
    sa.Column('match_reason', sa.String(length=20), nullable=True),
    sa.Column('duplicate_of', sa.Integer(), nullable=True),
    sa.Column('duplicate_reason', sa.String(length=20), nullable=True),
    sa.Column('choice', sa.String(length=10), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['lead_import.id'], name=op.f('fk_lead_import_row_import_id_lead_import'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], name=op.f('fk_lead_import_row_lead_id_lead'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['match_lead_id'], ['lead.id'], name=op.f('fk_lead_import_row_match_lead_id_lead'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_import_row'))
    )
    with op.batch_alter_table('lead_import_row', schema=None) as batch_op:
        batch_op.create_index('ix_lead_import_row_import_number', ['import_id', 'number'], unique=False)
        batch_op.create_index('ix_lead_import_row_lead_id', ['lead_id'], unique=False)
        batch_op.create_index('ix_lead_import_row_match_lead_id', ['match_lead_id'], unique=False)


def downgrade():
    with op.batch_alter_table('lead_import_row', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_import_row_match_lead_id')
        batch_op.drop_index('ix_lead_import_row_lead_id')
        batch_op.drop_index('ix_lead_import_row_import_number')

    op.drop_table('lead_import_row')
    with op.batch_alter_table('lead_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_import_user_id'))
        batch_op.drop_index(batch_op.f('ix_lead_import_status'))

    op.drop_table('lead_import')
    with op.batch_alter_table('lead_alias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_alias_lead_id'))

    op.drop_table('lead_alias')
