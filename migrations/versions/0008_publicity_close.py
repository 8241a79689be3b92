"""publicity close: an audited early close of a round's 公示 (day and reason)

Revision ID: 0008_publicity_close
Revises: 0004_publicity
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_publicity_close'
down_revision = '0004_publicity'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assessment_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publicity_closed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('publicity_close_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assessment_round', schema=None) as batch_op:
        batch_op.drop_column('publicity_close_reason')
        batch_op.drop_column('publicity_closed_on')
