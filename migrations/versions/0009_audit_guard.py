"""audit guard: the database itself refuses UPDATE and DELETE on audit_entry (triggers)

The ORM already refuses to change history; these triggers make a raw SQL UPDATE/DELETE fail too.
SQLite: BEFORE UPDATE / BEFORE DELETE triggers that RAISE(ABORT). PostgreSQL: a plpgsql function
raising an exception, called by BEFORE UPDATE / BEFORE DELETE row triggers.

Note for later revisions: on SQLite a ``batch_alter_table('audit_entry')`` re-creates the table
and drops these triggers; such a revision must create them again.

Revision ID: 0009_audit_guard
Revises: 0005_audit
"""
from alembic import op


revision = '0009_audit_guard'
down_revision = '0005_audit'
branch_labels = None
depends_on = None

MESSAGE = 'audit rows are immutable'


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for event in ('UPDATE', 'DELETE'):
            op.execute(f"CREATE TRIGGER audit_entry_no_{event.lower()} BEFORE {event} ON audit_entry "
                       f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;")
    elif dialect == 'postgresql':
        op.execute("CREATE FUNCTION audit_entry_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$;")
        for event in ('UPDATE', 'DELETE'):
            op.execute(f"CREATE TRIGGER audit_entry_no_{event.lower()} BEFORE {event} ON audit_entry "
                       "FOR EACH ROW EXECUTE FUNCTION audit_entry_immutable();")
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(f"audit guard: unsupported database {dialect}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for event in ('update', 'delete'):
            op.execute(f"DROP TRIGGER IF EXISTS audit_entry_no_{event}")
    elif dialect == 'postgresql':
        for event in ('update', 'delete'):
            op.execute(f"DROP TRIGGER IF EXISTS audit_entry_no_{event} ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_immutable()")
