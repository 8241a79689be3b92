"""self-assessment (自评), evidence library (佐证材料) and citations, round deadlines,
indicator.evidence_required

Revision ID: 0003_self_assessment
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_self_assessment'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('doc_type', sa.String(length=20), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('mime', sa.String(length=100), nullable=False),
    sa.Column('ext', sa.String(length=10), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_evidence_org_id_organisation')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_evidence_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('org_id', 'sha256', name=op.f('uq_evidence_org_id_sha256'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_org_id'), ['org_id'], unique=False)

    op.create_table('evidence_citation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=30), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('cited_by_id', sa.Integer(), nullable=False),
    sa.Column('cited_at', sa.DateTime(), nullable=False),
    sa.Column('rejected', sa.Boolean(), nullable=False),
    sa.Column('rejected_reason', sa.Text(), nullable=True),
    sa.Column('rejected_by_id', sa.Integer(), nullable=True),
    sa.Column('rejected_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['cited_by_id'], ['user_account.id'], name=op.f('fk_evidence_citation_cited_by_id_user_account')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_evidence_citation_evidence_id_evidence')),
    sa.ForeignKeyConstraint(['rejected_by_id'], ['user_account.id'], name=op.f('fk_evidence_citation_rejected_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_citation')),
    sa.UniqueConstraint('evidence_id', 'subject', 'subject_id', name=op.f('uq_evidence_citation_evidence_id_subject_subject_id'))
    )
    with op.batch_alter_table('evidence_citation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_citation_evidence_id'), ['evidence_id'], unique=False)
        batch_op.create_index('ix_evidence_citation_subject', ['subject', 'subject_id'], unique=False)

    op.create_table('self_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('reopened', sa.Boolean(), nullable=False),
    sa.Column('reopen_until', sa.DateTime(), nullable=True),
    sa.Column('reopen_reason', sa.Text(), nullable=True),
    sa.Column('reopened_by_id', sa.Integer(), nullable=True),
    sa.Column('reopened_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['reopened_by_id'], ['user_account.id'], name=op.f('fk_self_assessment_reopened_by_id_user_account')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_self_assessment_submitted_by_id_user_account')),
    sa.ForeignKeyConstraint(['target_id'], ['round_target.id'], name=op.f('fk_self_assessment_target_id_round_target'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessment')),
    sa.UniqueConstraint('target_id', name=op.f('uq_self_assessment_target_id'))
    )
    op.create_table('self_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('input', sa.JSON(), nullable=True),
    sa.Column('points', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_self_item_indicator_id_indicator')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_self_item_reviewed_by_id_user_account')),
    sa.ForeignKeyConstraint(['target_id'], ['round_target.id'], name=op.f('fk_self_item_target_id_round_target'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_self_item_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_item')),
    sa.UniqueConstraint('target_id', 'indicator_id', name=op.f('uq_self_item_target_id_indicator_id'))
    )
    with op.batch_alter_table('self_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_item_target_id'), ['target_id'], unique=False)

    op.create_table('self_item_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('input', sa.JSON(), nullable=True),
    sa.Column('points', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_self_item_version_by_id_user_account')),
    sa.ForeignKeyConstraint(['item_id'], ['self_item.id'], name=op.f('fk_self_item_version_item_id_self_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_item_version'))
    )
    with op.batch_alter_table('self_item_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_item_version_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('assessment_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('self_deadline', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('review_deadline', sa.Date(), nullable=True))

    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_required', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_column('evidence_required')

    with op.batch_alter_table('assessment_round', schema=None) as batch_op:
        batch_op.drop_column('review_deadline')
        batch_op.drop_column('self_deadline')

    with op.batch_alter_table('self_item_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_item_version_item_id'))

    op.drop_table('self_item_version')
    with op.batch_alter_table('self_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_item_target_id'))

    op.drop_table('self_item')
    op.drop_table('self_assessment')
    with op.batch_alter_table('evidence_citation', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_citation_subject')
        batch_op.drop_index(batch_op.f('ix_evidence_citation_evidence_id'))

    op.drop_table('evidence_citation')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_org_id'))

    op.drop_table('evidence')
