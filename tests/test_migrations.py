"""The schema only changes through alembic: upgrading an empty database to head must give
exactly the tables the models describe, and downgrading must remove them again."""
from __future__ import annotations

import pytest
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


def test_upgrade_keeps_existing_rows(tmp_path):
    """A database with data at the first revision upgrades to head (batch re-creation of tables
    that other rows point at must not trip foreign keys), keeping its rows."""
    from sqlalchemy import text

    url = _fresh_url(tmp_path)
    upgrade(url, "0001")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO scheme (id, code, version, name, year, full_marks, convert, tie_break, "
                          "status, created_at) VALUES (1, 'S', 1, 'S', 2025, 100, false, '[]', 'published', "
                          "'2025-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO indicator (id, scheme_id, position, code, name, max_points, content, "
                          "rule_text, methods, evidence_hint, rule_type, rule_params) VALUES (1, 1, 0, '1', 'A', 10, "
                          "'', '', '[]', '', 'direct', '{}')"))
        conn.execute(text("INSERT INTO category (id, name) VALUES (1, '机关')"))
        conn.execute(text("INSERT INTO indicator_category (indicator_id, category_id) VALUES (1, 1)"))
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT code, name FROM indicator")).all() == [("1", "A")]
        assert conn.execute(text("SELECT indicator_id, category_id FROM indicator_category")).all() == [(1, 1)]
    engine.dispose()


def test_upgrade_backfills_scheme_owner(tmp_path):
    """0007_scheme_owner: existing schemes belong to the root organisation (parent null, the
    first by id); the column is NOT NULL afterwards."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    url = _fresh_url(tmp_path)
    upgrade(url, "0001")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisation (id, code, name, parent_id, path, active) VALUES "
                          "(3, 'GW', '机关工委', NULL, '/3/', true), (5, 'QT', '丙委', NULL, '/5/', true), "
                          "(2, 'A', '甲局', 3, '/3/2/', true)"))
        for sid, version in ((1, 1), (2, 2)):
            conn.execute(text("INSERT INTO scheme (id, code, version, name, year, full_marks, convert, "
                              "tie_break, status, created_at) VALUES (:i, 'S', :v, 'S', 2025, 100, false, "
                              "'[]', 'published', '2025-01-01 00:00:00')"), {"i": sid, "v": version})
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, owner_org_id FROM scheme ORDER BY id")).all() == [(1, 3), (2, 3)]
        assert conn.execute(text("SELECT count(*) FROM organisation")).scalar() == 3
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("INSERT INTO scheme (id, code, version, name, year, full_marks, convert, tie_break, "
                          "status, created_at) VALUES (9, 'T', 1, 'T', 2025, 100, false, '[]', 'draft', "
                          "'2025-01-01 00:00:00')"))
    engine.dispose()
