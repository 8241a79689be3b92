"""publicity: window on the round, verification visits, panel votes, nominations, appeals

Revision ID: 0004_publicity
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_publicity'
down_revision = '0001'
branch_labels = None
depends_on = None

POINTS = sa.Numeric(precision=10, scale=2)


def _fk(table, col, ref, ondelete=None):
    return sa.ForeignKeyConstraint([col], [f'{ref}.id'], name=op.f(f'fk_{table}_{col}_{ref}'), ondelete=ondelete)


def upgrade() -> None:
    with op.batch_alter_table('assessment_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publicity_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('publicity_end', sa.Date(), nullable=True))

    op.create_table('verification_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('team', sa.Text(), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    _fk('verification_visit', 'created_by_id', 'user_account'),
    _fk('verification_visit', 'target_id', 'round_target', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_visit')),
    )
    with op.batch_alter_table('verification_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_visit_target_id'), ['target_id'], unique=False)

    op.create_table('verification_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('original_points', POINTS, nullable=True),
    sa.Column('verified_points', POINTS, nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    _fk('verification_item', 'indicator_id', 'indicator'),
    _fk('verification_item', 'visit_id', 'verification_visit', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_item')),
    sa.UniqueConstraint('visit_id', 'indicator_id', name=op.f('uq_verification_item_visit_id_indicator_id')),
    )
    with op.batch_alter_table('verification_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_item_visit_id'), ['visit_id'], unique=False)

    op.create_table('panel_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('rater', sa.String(length=50), nullable=False),
    sa.Column('choice', sa.String(length=50), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    _fk('panel_vote', 'entered_by_id', 'user_account'),
    _fk('panel_vote', 'indicator_id', 'indicator'),
    _fk('panel_vote', 'target_id', 'round_target', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_vote')),
    sa.UniqueConstraint('target_id', 'indicator_id', 'rater', name=op.f('uq_panel_vote_target_id_indicator_id_rater')),
    )
    with op.batch_alter_table('panel_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_vote_target_id'), ['target_id'], unique=False)

    op.create_table('nomination',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('claimed_points', POINTS, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('approved_points', POINTS, nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('adjustment_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    _fk('nomination', 'adjustment_id', 'adjustment', 'SET NULL'),
    _fk('nomination', 'created_by_id', 'user_account'),
    _fk('nomination', 'decided_by_id', 'user_account'),
    _fk('nomination', 'item_id', 'scheme_item'),
    _fk('nomination', 'target_id', 'round_target', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomination')),
    )
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nomination_target_id'), ['target_id'], unique=False)

    op.create_table('appeal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('before_points', POINTS, nullable=True),
    sa.Column('after_points', POINTS, nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    _fk('appeal', 'answered_by_id', 'user_account'),
    _fk('appeal', 'created_by_id', 'user_account'),
    _fk('appeal', 'indicator_id', 'indicator'),
    _fk('appeal', 'target_id', 'round_target', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal')),
    sa.UniqueConstraint('target_id', 'indicator_id', name=op.f('uq_appeal_target_id_indicator_id')),
    )
    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeal_target_id'), ['target_id'], unique=False)


def downgrade() -> None:
    for table in ('appeal', 'nomination', 'panel_vote', 'verification_item', 'verification_visit'):
        op.drop_table(table)
    with op.batch_alter_table('assessment_round', schema=None) as batch_op:
        batch_op.drop_column('publicity_end')
        batch_op.drop_column('publicity_start')
