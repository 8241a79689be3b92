"""scheme owner: scheme.owner_org_id (only accounts whose scope contains the owner manage it)

Existing schemes are backfilled with the root organisation (parent null; the first by id). A
database with schemes but no organisation at all gets a placeholder root organisation.

Revision ID: 0007_scheme_owner
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_scheme_owner'
down_revision = '0001'
branch_labels = None
depends_on = None

PLACEHOLDER_CODE = 'ROOT'
PLACEHOLDER_NAME = '方案所属组织（升级时创建）'


def _root_id(conn):
    root = conn.execute(sa.text(
        "SELECT id FROM organisation WHERE parent_id IS NULL ORDER BY id LIMIT 1")).scalar()
    if root is not None:
        return root
    if conn.execute(sa.text("SELECT count(*) FROM scheme")).scalar() == 0:
        return None
    code, n = PLACEHOLDER_CODE, 1
    while conn.execute(sa.text("SELECT count(*) FROM organisation WHERE code = :c"), {"c": code}).scalar():
        n += 1
        code = f"{PLACEHOLDER_CODE}{n}"
    conn.execute(sa.text("INSERT INTO organisation (code, name, path, active) VALUES (:c, :n, '/', :a)"),
                 {"c": code, "n": PLACEHOLDER_NAME, "a": True})
    root = conn.execute(sa.text("SELECT id FROM organisation WHERE code = :c"), {"c": code}).scalar()
    conn.execute(sa.text("UPDATE organisation SET path = :p WHERE id = :i"), {"p": f"/{root}/", "i": root})
    return root


def upgrade() -> None:
    with op.batch_alter_table('scheme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_org_id', sa.Integer(), nullable=True))
    conn = op.get_bind()
    root = _root_id(conn)
    if root is not None:
        conn.execute(sa.text("UPDATE scheme SET owner_org_id = :r WHERE owner_org_id IS NULL"), {"r": root})
    with op.batch_alter_table('scheme', schema=None) as batch_op:
        batch_op.alter_column('owner_org_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_scheme_owner_org_id'), ['owner_org_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_scheme_owner_org_id_organisation'), 'organisation',
                                    ['owner_org_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('scheme', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_scheme_owner_org_id_organisation'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_scheme_owner_org_id'))
        batch_op.drop_column('owner_org_id')
