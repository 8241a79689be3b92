"""Scale benchmark: a round of 10,000 targets × 27 leaves × 3 assessors (810,000 scores).

Run from the repository root (not collected by pytest):
    .venv/bin/python tests/bench/bench_scale.py [--targets 10000] [--runs 3] [--db URL] [--only abcd]
Default database: a temporary SQLite file; --db postgresql+psycopg://... uses an EMPTY PostgreSQL
database instead. Each measurement is reported as median time, Δ peak RSS (the rise of VmHWM
over the RSS just before the step; VmHWM is reset through /proc/self/clear_refs) and the ratio
to its floor:
 (a) compute_ranking (the ranking) vs one hand-written SQL aggregate (leaf means, totals, rank
     within category by a window function) over the same tables;
 (b) the score grid page and the ranking page for one 200-target category, server time through
     the Flask test client (target: < 200 ms);
 (c) `import orgs` of a 10,000-row sheet (parse + validate + apply) vs reading the same file
     with openpyxl read-only (rows kept);
 (d) the ranking workbook vs writing the same cells with plain XlsxWriter write_row
     (constant_memory, no styles).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
import xlsxwriter  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from scorecard.db import make_engine, make_session_factory  # noqa: E402
from scorecard.migrate import upgrade  # noqa: E402
from scorecard.models import Organisation, RoundTarget, Score  # noqa: E402
from tests.factories import Factory  # noqa: E402

PER_CATEGORY = 200
TOPS = [("1", "政治建设", 4), ("2", "组织建设", 7), ("3", "党员教育管理", 4), ("4", "融合发展", 4),
        ("5", "责任落实", 3), ("6", "作风纪律", 2), ("7", "服务群众和问题整改", 3)]


# -- memory -----------------------------------------------------------------------------

def _status(field: str) -> int:
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) // 1024
    return 0


def measure(fn, runs: int):
    """(median seconds, Δ peak RSS MB, last result)."""
    times, cpus, peaks, result = [], [], [], None
    for _ in range(runs):
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # reset VmHWM to the current RSS
        except OSError:
            pass
        base = _status("VmRSS:")
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        peaks.append(_status("VmHWM:") - base)
    CPU[0] = statistics.median(cpus)
    return statistics.median(times), max(peaks), result


CPU = [0.0]  # CPU seconds of this process in the last measure() (less sensitive to a busy machine)


# -- data -------------------------------------------------------------------------------

def leaves_spec():
    spec, n = [], 0
    for top_code, top_name, count in TOPS:
        for i in range(1, count + 1):
            n += 1
            points = "3.7" if n < 27 else str(Decimal(100) - Decimal("3.7") * 26)
            spec.append((f"{top_code}.{i}", f"指标{top_code}.{i}", points, "direct", {}, top_code, top_name, ()))
    return spec


def build(session, n_targets: int, scores: bool = True):
    make = Factory(session)
    root = make.org("GW", "机关工委", kind="党工委")
    n_cats = max(1, n_targets // PER_CATEGORY)
    cats = [f"类别{c:02d}" for c in range(1, n_cats + 1)]
    assessors = [make.user(f"kh{i}", "assessor", root) for i in (1, 2, 3)]
    leader = make.user("ld", "leader", root)
    scheme = make.scheme(leaves=leaves_spec(), categories=cats, bonus_cap=Decimal("3"))
    cat_ids = {c: make.category(c).id for c in cats}
    conn = session.connection()
    base = (session.scalar(text("SELECT max(id) FROM organisation")) or 0) + 1
    conn.execute(insert(Organisation), [
        {"id": base + i, "code": f"U{i:05d}", "name": f"州直第{i}单位机关党委", "kind": "机关党委",
         "parent_id": root.id, "category_id": cat_ids[cats[i % n_cats]], "path": f"{root.path}{base + i}/",
         "active": True} for i in range(n_targets)])
    rnd = make.round(scheme, root, [])
    conn.execute(insert(RoundTarget), [
        {"round_id": rnd.id, "org_id": base + i, "category_id": cat_ids[cats[i % n_cats]]} for i in range(n_targets)])
    _fix_sequences(session)
    target_ids = [r[0] for r in session.execute(text("SELECT id FROM round_target WHERE round_id = :r ORDER BY id"),
                                                {"r": rnd.id})]
    leaves = [i for i in scheme.indicators if i.parent_id is not None] if scores else []
    rng = random.Random(7)
    batch = []
    for tid in target_ids:
        for leaf in leaves:
            for a in assessors:
                pts = (leaf.max_points * Decimal(rng.randint(60, 100)) / 100).quantize(Decimal("0.01"))
                batch.append({"target_id": tid, "indicator_id": leaf.id, "assessor_id": a.id,
                              "input": {"value": str(pts)}, "points": pts, "comment": "", "version": 1})
        if len(batch) >= 50_000:
            conn.execute(insert(Score), batch)
            batch = []
    if batch:
        conn.execute(insert(Score), batch)
    session.commit()
    return rnd.id, cat_ids[cats[0]], assessors[0].id, leader.id


def _fix_sequences(session) -> None:
    if session.bind.dialect.name == "postgresql":
        for table in ("organisation", "round_target"):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))


# -- (a) ranking vs SQL floor -------------------------------------------------------------

FLOOR_SQL = """
SELECT target_id, category_id, total,
       RANK() OVER (PARTITION BY category_id ORDER BY total DESC) AS rnk
FROM (
  SELECT m.target_id, rt.category_id, SUM(m.leaf_mean) AS total
  FROM (SELECT s.target_id, s.indicator_id, ROUND(AVG(s.points), 2) AS leaf_mean
        FROM score s JOIN round_target t ON t.id = s.target_id
        WHERE t.round_id = :r GROUP BY s.target_id, s.indicator_id) m
  JOIN round_target rt ON rt.id = m.target_id
  GROUP BY m.target_id, rt.category_id
) totals
"""


def row(label, t, mem, floor_t=None, floor_mem=None, note="", cpu=None, floor_cpu=None):
    ratio = f"{t / floor_t:6.2f}×" if floor_t else "      "
    floor = f"floor {floor_t * 1000:9.1f} ms (cpu {floor_cpu * 1000:9.1f}), Δpeak {floor_mem:5d} MB" if floor_t else ""
    cpu_ratio = f" cpu ratio {cpu / floor_cpu:5.2f}×" if floor_t and floor_cpu else ""
    print(f"{label:<34} {t * 1000:9.1f} ms (cpu {cpu * 1000:9.1f})  Δpeak {mem:5d} MB  {ratio}  {floor}{cpu_ratio} {note}",
          flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db", default=None, help="an empty database URL (default: temporary SQLite)")
    ap.add_argument("--only", default="abcd", help="the parts to run, e.g. --only c (scores are not built "
                    "when only (c) runs: the organisation table is the same)")
    args = ap.parse_args()
    parts = set(args.only)
    tmp = tempfile.mkdtemp(prefix="scorecard-bench-")
    url = args.db or f"sqlite:///{tmp}/scale.sqlite3"
    print(f"scale benchmark: {args.targets} targets × 27 leaves × 3 assessors on {url.split(':')[0]}; "
          f"median of {args.runs}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
    upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    t0 = time.perf_counter()
    with sessions() as s:
        round_id, cat_id, assessor_id, leader_id = build(s, args.targets, scores=bool(parts & set("abd")))
    print(f"setup (bulk insert of {args.targets * 81:,} scores): {time.perf_counter() - t0:.1f} s", flush=True)

    from scorecard.models import Round
    from scorecard.services.rounds.ranking import compute_ranking

    def report():
        with sessions() as s:
            return compute_ranking(s, s.get(Round, round_id))

    def floor_sql():
        with engine.connect() as c:
            return c.execute(text(FLOOR_SQL), {"r": round_id}).all()

    if "a" in parts:
        ft, fm, frows = measure(floor_sql, args.runs)
        fc = CPU[0]
        t, m, rep = measure(report, args.runs)
        assert len(frows) == len(rep.rows) == args.targets
        row("(a) ranking compute_ranking", t, m, ft, fm, cpu=CPU[0], floor_cpu=fc)
    elif "d" in parts:
        rep = report()

    # (b) pages through the Flask test client
    from scorecard.web import create_app

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": f"{tmp}/instance", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})

    def finalize():  # what 定档 stores, without the phase walk: the frozen report
        from scorecard.models import utcnow
        with sessions() as s:
            rnd = s.get(Round, round_id)
            rnd.snapshot, rnd.phase, rnd.finalized_at = compute_ranking(s, rnd).to_dict(), "final", utcnow()
            s.commit()

    ranking_page = f"/rounds/{round_id}/ranking"
    pages = (("(b) score grid page, 200 targets", assessor_id, f"/rounds/{round_id}/grid/{cat_id}", None),
             ("(b) ranking page, first category", leader_id, ranking_page, None),
             ("(b) round page, first category", leader_id, f"/rounds/{round_id}", None),
             # each process decodes a frozen snapshot once, then keeps each category's part
             ("(b) ranking page, finalized round (after the first request)", leader_id, ranking_page, finalize))
    for label, user_id, path, before in pages if "b" in parts else ():
        if before:
            before()
        client = app.test_client()
        with sessions() as s:
            from scorecard.models import User
            username = s.get(User, user_id).username
        resp = client.post("/login", data={"username": username, "password": "Passw0rd!"})
        assert resp.status_code == 302, resp.status_code

        def page():
            resp = client.get(path)
            assert resp.status_code == 200, (resp.status_code, resp.headers.get("Location"))
            return len(resp.data)
        first = time.perf_counter()
        page()
        first = time.perf_counter() - first
        t, m, size = measure(page, args.runs)
        row(label, t, m, note=f"({size / 1024:,.0f} KB of HTML; first request {first * 1000:.0f} ms)", cpu=CPU[0])

    # (c) org import vs openpyxl read-only
    sheet = Path(tmp) / "orgs.xlsx"
    wb = xlsxwriter.Workbook(str(sheet), {"constant_memory": True})
    ws = wb.add_worksheet("组织")
    ws.write_row(0, 0, ["编码", "名称", "上级编码", "类别", "片组", "组织类型"])
    for i in range(10_000):
        ws.write_row(i + 1, 0, [f"K{i:05d}", f"州直第{i}单位党支部", "GW", "类别01", f"第{i % 9 + 1}片组", "党支部"])
    wb.close()

    def read_floor():
        book = openpyxl.load_workbook(sheet, read_only=True, data_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        book.close()
        return rows

    from scorecard.importers.orgs import parse_orgs
    from scorecard.services.orgs.tree import apply_org_import

    def do_import():
        with sessions() as s:
            from sqlalchemy import select
            existing = s.scalars(select(Organisation.code)).all()
            summary = apply_org_import(s, None, parse_orgs(sheet, existing))
            s.rollback()  # measured without keeping it, so every run imports 10,000 new rows
            return summary
    if "c" in parts:
        ft, fm, _ = measure(read_floor, args.runs)
        fc = CPU[0]
        t, m, _ = measure(do_import, args.runs)
        row("(c) import orgs, 10,000 rows", t, m, ft, fm, cpu=CPU[0], floor_cpu=fc)
    if "d" not in parts:
        engine.dispose()
        return

    # (d) ranking workbook vs plain XlsxWriter
    from scorecard.exports.ranking import write_ranking_workbook
    from scorecard.services.rounds.ranking import ranking_rules

    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    from bench_ranking_export import _plain_sheets

    with sessions() as s:
        rules = ranking_rules(s.get(Round, round_id))
    sheets = _plain_sheets(rep)

    def plain():
        wbp = xlsxwriter.Workbook(f"{tmp}/plain.xlsx", {"constant_memory": True})
        for name, rows_ in sheets:
            wsp = wbp.add_worksheet(name[:31])
            for r, vals in enumerate(rows_):
                wsp.write_row(r, 0, vals)
        wbp.close()

    def workbook():
        write_ranking_workbook(rep, f"{tmp}/ranking.xlsx", rules)
    ft, fm, _ = measure(plain, args.runs)
    fc = CPU[0]
    t, m, _ = measure(workbook, args.runs)
    cells = sum(len(r) * len(r[0]) for _, r in sheets if r)
    row("(d) ranking workbook", t, m, ft, fm, cpu=CPU[0], floor_cpu=fc, note=f"({cells:,} cells, {os.path.getsize(f'{tmp}/ranking.xlsx') / 1e6:.1f} MB)")
    engine.dispose()


if __name__ == "__main__":
    main()
