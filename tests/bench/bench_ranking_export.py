"""Benchmark: ranking report + workbook for a 91-target and a 1,000-target round.

Run from the repository root:  /work/venv/bin/python tests/bench/bench_ranking_export.py
(not collected by pytest). Builds each round in a temporary SQLite database (27 leaves in
7 first levels, 3 categories, 2 assessors, a deduction on every 5th target), then prints the
median of 3 runs of: computing the report, writing the workbook, and a baseline that writes
the same cells with plain XlsxWriter write_row and no styles (values prepared beforehand).
"""
from __future__ import annotations

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

import xlsxwriter  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from scorecard.db import make_engine, make_session_factory  # noqa: E402
from scorecard.exports.columns import deduction_columns, detail_columns, ranking_columns  # noqa: E402
from scorecard.exports.ranking import adjustment_columns, overall_rows, write_ranking_workbook  # noqa: E402
from scorecard.migrate import upgrade  # noqa: E402
from scorecard.models import Score  # noqa: E402
from scorecard.services.rounds.ranking import (
    compute_ranking,  # noqa: E402
    ranking_rules,
)
from tests.factories import Factory  # noqa: E402

TOPS = [("1", "政治建设", 4), ("2", "组织建设", 7), ("3", "党员教育管理", 4), ("4", "融合发展", 4),
        ("5", "责任落实", 3), ("6", "作风纪律", 2), ("7", "服务群众和问题整改", 3)]
CATEGORIES = ("党政机关", "事业单位", "国有企业")
RUNS = 3


def leaves_spec() -> list[tuple]:
    """27 leaves summing to 100: 3.7 points each, the last one takes the remainder."""
    spec, n = [], 0
    for top_code, top_name, count in TOPS:
        for i in range(1, count + 1):
            n += 1
            points = "3.7" if n < 27 else str(Decimal(100) - Decimal("3.7") * 26)
            rule = ("deduct", {"per": "0.5"}) if i == 2 else ("direct", {})
            cats = ("国有企业",) if n == 17 else ()
            spec.append((f"{top_code}.{i}", f"指标{top_code}.{i}", points, *rule, top_code, top_name, cats))
    return spec


def build(session, n_targets: int):
    make = Factory(session)
    root = make.org("GW", "机关工委", kind="党工委")
    assessors = [make.user(f"kh{i}", "assessor", root) for i in (1, 2)]
    scheme = make.scheme(leaves=leaves_spec(), categories=CATEGORIES, bonus_cap=Decimal("3"))
    orgs = [make.org(f"U{i:04d}", f"州直第{i}单位机关党委", root, CATEGORIES[i % 3], f"第{i % 9 + 1}片组")
            for i in range(n_targets)]
    rnd = make.round(scheme, root, orgs)
    session.flush()
    _scores(session, rnd, assessors)
    session.commit()
    return rnd


def _scores(session, rnd, assessors) -> None:
    rng = random.Random(7)
    leaves = [i for i in rnd.scheme.indicators if i.parent_id is not None]
    rows = []
    for k, target in enumerate(rnd.targets):
        for leaf in leaves:
            if leaf.categories and target.category not in leaf.categories:
                continue
            for a in assessors:
                if leaf.rule_type == "deduct":
                    ded = [{"times": "1", "points": "0.5", "reason": f"第{k}单位台账不全"}] if k % 5 == 0 else []
                    pts = leaf.max_points - (Decimal("0.5") if ded else 0)
                    inp = {"deductions": ded}
                else:
                    pts = (leaf.max_points * Decimal(rng.randint(60, 100)) / 100).quantize(Decimal("0.01"))
                    inp = {"value": str(pts)}
                rows.append({"target_id": target.id, "indicator_id": leaf.id, "assessor_id": a.id,
                             "input": inp, "points": pts, "comment": "", "version": 1})
    session.execute(insert(Score), rows)


def baseline(report, path: str) -> None:
    """The same cells with plain write_row, no styles, no merges, no print setup."""
    sheets = _plain_sheets(report)
    start = time.perf_counter()
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    for name, rows in sheets:
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
    wb.close()
    return time.perf_counter() - start


def _plain_sheets(report):
    def plain(columns, items):
        out = [[c.header for c in columns]]
        for item in items:
            out.append([float(v) if isinstance(v, Decimal) else v for v in (c.value(item) for c in columns)])
        return out
    sheets = [(cat, plain(ranking_columns(report), report.rows_of(cat))) for cat in report.categories]
    sheets.append(("总体", plain(ranking_columns(report), overall_rows(report))))
    sheets.append(("得分明细", plain(detail_columns(report), overall_rows(report))))
    sheets.append(("扣分原因", plain(deduction_columns(), report.deductions)))
    sheets.append(("加减分", plain(adjustment_columns(), report.adjustments)))
    return sheets


def timed(fn, *args):
    times, result = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def bench(n_targets: int, tmp: str) -> None:
    url = f"sqlite:///{tmp}/bench_{n_targets}.sqlite3"
    upgrade(url)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    t0 = time.perf_counter()
    rnd = build(session, n_targets)
    setup = time.perf_counter() - t0
    t_report, report = timed(compute_ranking, session, rnd)
    rules = ranking_rules(rnd)
    out = os.path.join(tmp, f"ranking_{n_targets}.xlsx")
    t_write, _ = timed(write_ranking_workbook, report, out, rules)
    t_base = statistics.median(baseline(report, os.path.join(tmp, f"base_{n_targets}.xlsx")) for _ in range(RUNS))
    cells = sum(len(rows) * len(rows[0]) for _, rows in _plain_sheets(report))
    print(f"{n_targets:>5} targets | {cells:>6} cells | setup {setup:6.2f}s | report {t_report:6.3f}s | "
          f"workbook {t_write:6.3f}s ({os.path.getsize(out) / 1024:,.0f} KB) | "
          f"baseline write_row {t_base:6.3f}s | workbook/baseline {t_write / t_base:4.2f}×")
    session.close()
    engine.dispose()


def main() -> None:
    print(f"ranking export benchmark (median of {RUNS}; Python {sys.version.split()[0]}, "
          f"XlsxWriter {xlsxwriter.__version__})")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (91, 1000):
            bench(n, tmp)


if __name__ == "__main__":
    main()
