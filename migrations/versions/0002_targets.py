"""annual targets; read indexes for the board and dashboard

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('key_projects', sa.Integer(), nullable=True),
    sa.Column('key_talents', sa.Integer(), nullable=True),
    sa.Column('investment_wan', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('started_or_completed', sa.Integer(), nullable=True),
    sa.Column('signed_leads', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_target_updated_by_id_user'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target')),
    sa.UniqueConstraint('year', name=op.f('uq_target_year'))
    )
    # Read indexes for the board and the dashboard (see crm/dashboard/models.py).
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index('ix_lead_board_cards', ['stage', 'priority', 'last_activity_at', 'created_at', 'id'],
                              unique=False)
        batch_op.create_index('ix_lead_stage_figures', ['stage', 'owner_id', 'stage_entered_at',
                                                        'planned_investment_wan', 'next_action_due',
                                                        'last_activity_at', 'created_at', 'is_key'], unique=False)
        batch_op.create_index('ix_lead_created_figures', ['created_at', 'stage', 'source', 'industry_code',
                                                          'planned_investment_wan'], unique=False)
    with op.batch_alter_table('lead_event', schema=None) as batch_op:
        batch_op.create_index('ix_lead_event_history', ['field', 'lead_id', 'at', 'new_value'], unique=False)


def downgrade():
    with op.batch_alter_table('lead_event', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_event_history')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_created_figures')
        batch_op.drop_index('ix_lead_stage_figures')
        batch_op.drop_index('ix_lead_board_cards')
    op.drop_table('target')
