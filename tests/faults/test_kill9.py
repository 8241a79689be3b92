"""A CLI command killed with a real `kill -9` mid-way leaves the database exactly as before.

Two kinds of kill: (1) deterministic — the process has flushed every row of the command and is
paused just before COMMIT (tests/faults/pause_before_commit.py); (2) unpatched — the real CLI,
killed the moment its transaction is seen writing (SQLite: it holds the write lock;
PostgreSQL: the backend has a transaction id). The database is compared by a full dump.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from sqlalchemy import text

from scorecard.backup import is_sqlite
from scorecard.db import make_engine
from scorecard.domain.rules import input_from_points
from scorecard.services.rounds.ranking import round_structure
from scorecard.services.scoring.scores import save_score

from .conftest import cli_env, dump, kill9, start_cli, wait_backend_gone, wait_for

N_ORGS = 10_000


def _org_sheet(path: Path, n: int) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("组织")
    ws.write_row(0, 0, ["编码", "名称", "上级编码", "类别", "片组", "组织类型"])
    for i in range(n):
        parent = "GW" if i < 100 else f"K{i % 100:05d}"
        ws.write_row(i + 1, 0, [f"K{i:05d}", f"州直第{i}单位党支部", parent, "机关", f"第{i % 9 + 1}片组", "党支部"])
    wb.close()
    return path


def _seed_orgs(session, make) -> None:
    w = make.world()
    session.commit()
    return w


def test_org_import_killed_before_commit_leaves_database_unchanged(db_url, session, make, tmp_path):
    _seed_orgs(session, make)
    before = dump(db_url)
    sheet = _org_sheet(tmp_path / "orgs.xlsx", N_ORGS)
    marker = tmp_path / "marker"
    env = cli_env(db_url, tmp_path / "inst", FAULT_MARKER=str(marker),
                  FAULT_PROBE_SQL="SELECT count(*) FROM organisation")
    proc = start_cli(["import", "orgs", str(sheet)], env, paused=True)
    wait_for(marker.exists, 180, "the import to reach COMMIT", proc)
    pid, seen = marker.read_text().split()
    assert int(pid) == proc.pid and int(seen) == 4 + N_ORGS  # all rows written, uncommitted
    kill9(proc)
    wait_backend_gone(db_url)
    assert dump(db_url) == before


def _writing(db_url: str):
    """A predicate: the CLI's transaction has started writing (SQLite: it holds the write lock,
    so a probe's BEGIN IMMEDIATE is refused at once; PostgreSQL: its backend has an xid)."""
    if is_sqlite(db_url):
        from sqlalchemy.engine import make_url

        path = make_url(db_url).database

        def locked() -> bool:
            probe = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError:  # database is locked: the writer is mid-transaction
                return True
            finally:
                probe.close()
        return locked
    engine = make_engine(db_url)

    def writing():
        with engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                                    "'scorecard-fault' AND backend_xid IS NOT NULL")) > 0
    writing.engine = engine
    return writing


def test_org_import_killed_while_writing_leaves_database_unchanged(db_url, session, make, tmp_path):
    _seed_orgs(session, make)
    before = dump(db_url)
    sheet = _org_sheet(tmp_path / "orgs.xlsx", N_ORGS)
    writing = _writing(db_url)
    proc = start_cli(["import", "orgs", str(sheet)], cli_env(db_url, tmp_path / "inst"), paused=False)
    wait_for(writing, 180, "the import to start writing", proc)
    kill9(proc)
    if hasattr(writing, "engine"):
        writing.engine.dispose()
    wait_backend_gone(db_url)
    assert dump(db_url) == before


def _finalizable_round(session, make, n_targets: int = 60):
    w = make.world()
    scheme = make.scheme()
    targets = [make.org(f"T{i:03d}", f"测试单位{i}", w["root"], "机关") for i in range(n_targets)]
    rnd = make.round(scheme, w["root"], targets, phase="review")
    st = round_structure(rnd)
    for k, t in enumerate(rnd.targets):
        for code in st.leaf_codes:
            leaf = st.leaf(code)
            pts = leaf.max_points - Decimal(k % 3) * 2
            raw = input_from_points(st.rule(code), pts, "台账不全" if pts < leaf.max_points else None)
            save_score(session, w["assessor"], t, leaf, raw, check_version=False)
    rnd.phase = "publicity"  # its 公示 window is over: 定档 needs no early close
    rnd.publicity_start, rnd.publicity_end = dt.date(2025, 1, 1), dt.date(2025, 1, 7)
    session.commit()
    return rnd


def test_round_finalize_killed_before_commit_leaves_database_unchanged(db_url, session, make, tmp_path):
    rnd = _finalizable_round(session, make)
    before = dump(db_url)
    marker = tmp_path / "marker"
    env = cli_env(db_url, tmp_path / "inst", FAULT_MARKER=str(marker),
                  FAULT_PROBE_SQL=f"SELECT phase FROM assessment_round WHERE id = {rnd.id}")
    proc = start_cli(["round", "finalize", rnd.code, "--as", "assessor"], env, paused=True)
    wait_for(marker.exists, 120, "the finalization to reach COMMIT", proc)
    assert marker.read_text().split()[1] == "final"  # the snapshot was written, uncommitted
    kill9(proc)
    wait_backend_gone(db_url)
    assert dump(db_url) == before
    # and the round can still be finalized afterwards
    proc = start_cli(["round", "finalize", rnd.code, "--as", "assessor"], cli_env(db_url, tmp_path / "inst"),
                     paused=False)
    assert proc.wait(timeout=120) == 0, proc.output()
