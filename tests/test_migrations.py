"""The schema only changes through alembic: upgrading an empty database to head must give
exactly the tables the models describe, and downgrading must remove them again."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from scorecard.db import make_engine
from scorecard.migrate import alembic_config, upgrade
from scorecard.models import Base


def _fresh_url(tmp_path):
    from tests.conftest import PG_URL

    if PG_URL:
        import uuid

        from sqlalchemy import text

        name = f"sc_mig_{uuid.uuid4().hex[:8]}"
        admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return PG_URL.rsplit("/", 1)[0] + "/" + name
    return f"sqlite:///{tmp_path / 'mig.sqlite3'}"


def test_upgrade_from_empty_matches_models(tmp_path):
    url = _fresh_url(tmp_path)
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations disagree: {diff}"


def test_downgrade_to_base_and_up_again(tmp_path):
    from alembic import command

    url = _fresh_url(tmp_path)
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
