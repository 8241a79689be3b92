"""Helpers for fault tests: run the CLI as a real process, dump a database for comparison."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from scorecard.backup import is_sqlite, pg_conn_args, pg_tool

ROOT = Path(__file__).resolve().parents[2]


def cli_env(db_url: str, instance: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(SCORECARD_DATABASE_URL=db_url, SCORECARD_INSTANCE=str(instance),
               PYTHONPATH=str(ROOT), PGAPPNAME="scorecard-fault", **extra)
    return env


def dump(url: str) -> str:
    """Schema and every row. SQLite: iterdump (opening the file first rolls back a hot journal).
    PostgreSQL: pg_dump in plain format, minus the setval lines: sequences are not
    transactional, so a rolled-back insert still advances them (ids are skipped, never reused),
    and minus pg_dump's random per-dump \\restrict key lines."""
    if is_sqlite(url):
        conn = sqlite3.connect(make_url(url).database)
        try:
            return "\n".join(conn.iterdump())
        finally:
            conn.close()
    args, env = pg_conn_args(url)
    out = subprocess.run([pg_tool("pg_dump"), "--no-owner", *args], env=env, check=True,
                         capture_output=True, text=True).stdout
    skip = ("SELECT pg_catalog.setval", "\\restrict ", "\\unrestrict ")
    return "\n".join(line for line in out.splitlines() if not line.startswith(skip))


def kill9(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            out = proc.output() if hasattr(proc, "output") else ""
            pytest.fail(f"process ended (exit {proc.returncode}) before {what}: {out[-2000:]}")
        time.sleep(0.005)
    pytest.fail(f"timed out waiting for {what}")


def wait_backend_gone(url: str) -> None:
    """After kill -9 of a PostgreSQL client, wait until its server backend has rolled back and exited."""
    if is_sqlite(url):
        return
    from sqlalchemy import text

    from scorecard.db import make_engine

    engine = make_engine(url)
    try:
        def gone():
            with engine.connect() as conn:
                return conn.scalar(text("SELECT count(*) FROM pg_stat_activity "
                                        "WHERE application_name = 'scorecard-fault'")) == 0
        wait_for(gone, 30, "the killed client's backend to exit")
    finally:
        engine.dispose()


def start_cli(args: list[str], env: dict, paused: bool) -> subprocess.Popen:
    """The CLI as a real process; its output goes to a temporary file (proc.output() reads it),
    never to a pipe that could fill up and block it."""
    import tempfile

    prefix = [sys.executable, str(ROOT / "tests" / "faults" / "pause_before_commit.py")] if paused \
        else [sys.executable, "-c", "from scorecard.cli import main; main()"]
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen([*prefix, *args], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True)
    proc.output = lambda: (log.seek(0), log.read())[1]
    return proc
