"""privacy: confidential leads, codenames, sponsoring leader link, privacy audit

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('privacy_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=True),
    sa.Column('lead_ids', sa.Text(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_privacy_event_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_event'))
    )
    with op.batch_alter_table('privacy_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_privacy_event_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sponsoring_leader_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('is_confidential', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('codename', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_lead_sponsoring_leader_id'), ['sponsoring_leader_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_lead_sponsoring_leader_id_user'), 'user',
                                    ['sponsoring_leader_id'], ['id'])


def downgrade():
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_lead_sponsoring_leader_id_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_lead_sponsoring_leader_id'))
        batch_op.drop_column('codename')
        batch_op.drop_column('is_confidential')
        batch_op.drop_column('sponsoring_leader_id')

    with op.batch_alter_table('privacy_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_event_user_id'))
        batch_op.drop_index(batch_op.f('ix_privacy_event_at'))

    op.drop_table('privacy_event')
