"""Engine and session set-up shared by the web app, the CLI and the tests."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    # Write-ahead log: a long read (a ranking export) no longer blocks score saves, nor a save
    # the readers. synchronous stays FULL: every committed save is on disk.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def default_sqlite_url(instance_path: str | Path) -> str:
    path = Path(instance_path) / "scorecard.sqlite3"
    return f"sqlite:///{path}"
