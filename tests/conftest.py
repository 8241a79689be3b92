"""Fixtures: a fresh, migrated database per test (SQLite by default; PostgreSQL when
SCORECARD_TEST_PG is set), an app, a session and small factories."""
from __future__ import annotations

import os
import shutil
import uuid

import pytest
from argon2 import PasswordHasher

from scorecard.db import make_engine
from scorecard.migrate import upgrade
from scorecard.services.accounts import passwords as accounts

PG_URL = os.environ.get("SCORECARD_TEST_PG")  # e.g. postgresql+psycopg://postgres@127.0.0.1/postgres


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch):
    # Production uses argon2 defaults (~126 ms); tests use the cheapest valid parameters.
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory):
    if PG_URL:
        from sqlalchemy import text

        name = f"sc_tpl_{uuid.uuid4().hex[:8]}"
        admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        upgrade(PG_URL.rsplit("/", 1)[0] + "/" + name)
        yield name
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        return
    path = tmp_path_factory.mktemp("tpl") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    yield str(path)


@pytest.fixture
def db_url(_template_db, tmp_path):
    if PG_URL:
        from sqlalchemy import text

        name = f"sc_t_{uuid.uuid4().hex[:10]}"
        admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_template_db}"'))
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        return
    path = tmp_path / "test.sqlite3"
    shutil.copy(_template_db, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def app(db_url, tmp_path):
    from scorecard.web import create_app

    app = create_app({
        "DATABASE_URL": db_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
    })
    yield app
    app.extensions["scorecard.engine"].dispose()


@pytest.fixture
def session(app):
    s = app.extensions["scorecard.sessions"]()
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(session):
    from tests.factories import Factory

    return Factory(session)


def login(client, username: str, password: str = "Passw0rd!"):
    resp = client.post("/login", data={"username": username, "password": password})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return resp
