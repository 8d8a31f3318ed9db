"""annual targets

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


def downgrade():
    op.drop_table('target')
