"""audit: round_id on audit entries (browse and filter the audit log by round)

Revision ID: 0005_audit
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_audit'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_entry_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_entity'), ['entity'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_entity'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_round_id'))
        batch_op.drop_column('round_id')
