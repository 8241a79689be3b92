"""Benchmark: the ranking workbook of a 5,000-target round, time and peak memory, as ratios to
the fastest plain writer of the same cells measured in the same run.

Run from the repository root (not collected by pytest):

    .venv/bin/pip install -e '.[bench]'      # rustpy-xlsxwriter, pyexcelerate (optional)
    .venv/bin/python tests/bench/bench_ranking_5000.py [N_TARGETS]

The round (27 leaves, 3 categories, 2 assessors, a deduction on every 5th target) is built once
in a temporary SQLite database and its report computed once; the report is pickled, and every
variant runs in a fresh subprocess that loads it, prepares its input, then writes. "Δ peak" is
the growth of the process's peak RSS (VmHWM, reset just before writing) during the write alone, so the report
and prepared rows are excluded. Each variant: median of RUNS runs.
"""
from __future__ import annotations

import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

RUNS = 3


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> int:
    """Reset the peak-RSS mark to the current RSS (Linux: clear_refs 5) and return it in KB.
    ru_maxrss is no use here: Linux carries it over from the parent across fork and exec."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return _status_kb("VmRSS") or 0
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_kb() -> int:
    return _status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _plain_sheets(report):
    from tests.bench.bench_ranking_export import _plain_sheets as plain
    return plain(report)


def child(variant: str, pickled: str, out: str) -> dict:
    """Runs in a fresh process: load, prepare, then time and measure the write alone."""
    import xlsxwriter

    with open(pickled, "rb") as fh:
        report, rules = pickle.load(fh)
    prepared = None if variant.startswith("ours") else _plain_sheets(report)
    if variant == "rustpy":
        prepared = [(name, [dict(zip([f"c{i}" for i in range(len(rows[0]))], r)) for r in rows[1:]])
                    for name, rows in prepared]
    before = _reset_peak()
    start = time.perf_counter()
    if variant == "ours":
        from scorecard.exports.ranking import write_ranking_workbook
        write_ranking_workbook(report, out, rules)
    elif variant == "ours-no-constant-memory":
        from scorecard.exports import xlsx
        from scorecard.exports.ranking import write_ranking_workbook
        xlsx.WORKBOOK_OPTIONS["constant_memory"] = False
        write_ranking_workbook(report, out, rules)
    elif variant == "xlsxwriter-plain":
        wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                       "strings_to_urls": False})
        for name, rows in prepared:
            ws = wb.add_worksheet(name)
            for r, row in enumerate(rows):
                ws.write_row(r, 0, row)
        wb.close()
    elif variant == "pyexcelerate":
        from pyexcelerate import Workbook
        wb = Workbook()
        for name, rows in prepared:
            wb.new_sheet(name, data=rows)
        wb.save(out)
    elif variant == "rustpy":
        from rustpy_xlsxwriter import FastExcel
        book = FastExcel(out)
        for name, records in prepared:
            book = book.sheet(name, records)
        book.save()
    else:
        raise SystemExit(f"unknown variant {variant}")
    seconds = time.perf_counter() - start
    peak = _peak_kb()
    return {"seconds": seconds, "delta_mb": (peak - before) / 1024, "peak_mb": peak / 1024,
            "size_kb": os.path.getsize(out) / 1024}


def available(variant: str) -> bool:
    module = {"pyexcelerate": "pyexcelerate", "rustpy": "rustpy_xlsxwriter"}.get(variant)
    if module is None:
        return True
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def measure(variant: str, pickled: str, tmp: str) -> dict:
    runs = []
    for i in range(RUNS):
        out = os.path.join(tmp, f"{variant}-{i}.xlsx")
        proc = subprocess.run([sys.executable, __file__, "--child", variant, pickled, out],
                              capture_output=True, text=True, check=True, cwd=ROOT)
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def build_report(n: int, tmp: str):
    from scorecard.db import make_engine, make_session_factory
    from scorecard.migrate import upgrade
    from scorecard.services.rounds.ranking import compute_ranking, ranking_rules
    from tests.bench.bench_ranking_export import build

    url = f"sqlite:///{tmp}/bench_{n}.sqlite3"
    upgrade(url)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    t0 = time.perf_counter()
    rnd = build(session, n)
    t1 = time.perf_counter()
    report = compute_ranking(session, rnd)
    t2 = time.perf_counter()
    rules = ranking_rules(rnd)
    session.close()
    engine.dispose()
    return report, rules, t1 - t0, t2 - t1


def main(n: int) -> None:
    import xlsxwriter

    with tempfile.TemporaryDirectory() as tmp:
        report, rules, t_setup, t_report = build_report(n, tmp)
        pickled = os.path.join(tmp, "report.pkl")
        with open(pickled, "wb") as fh:
            pickle.dump((report, rules), fh)
        cells = sum(len(rows) * len(rows[0]) for _, rows in _plain_sheets(report))
        print(f"ranking workbook, {n} targets, {cells:,} cells in the data sheets "
              f"(Python {sys.version.split()[0]}, XlsxWriter {xlsxwriter.__version__}; median of {RUNS}, "
              f"each run a fresh process)")
        print(f"setup {t_setup:.1f}s, compute_ranking {t_report:.2f}s (not part of the ratios)")
        variants = [v for v in ("rustpy", "pyexcelerate", "xlsxwriter-plain", "ours", "ours-no-constant-memory")
                    if available(v)]
        results = {v: measure(v, pickled, tmp) for v in variants}
        plain = [v for v in variants if not v.startswith("ours")]
        base = min(plain, key=lambda v: results[v]["seconds"])
        b = results[base]
        print(f"baseline = fastest plain writer of the same cells: {base}")
        print(f"{'variant':<26}{'time s':>8}{'× base':>8}{'Δ peak MB':>11}{'× base':>8}{'peak MB':>9}{'file KB':>9}")
        for v in variants:
            r = results[v]
            print(f"{v:<26}{r['seconds']:>8.2f}{r['seconds'] / b['seconds']:>8.2f}{r['delta_mb']:>11.1f}"
                  f"{(r['delta_mb'] / b['delta_mb']) if b['delta_mb'] > 0.5 else float('nan'):>8.2f}"
                  f"{r['peak_mb']:>9.0f}{r['size_kb']:>9.0f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(*sys.argv[2:5])))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
