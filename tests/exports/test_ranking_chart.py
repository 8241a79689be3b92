"""The 等次分布 sheet: a count table and a native Excel chart pointing at it; progress reports."""
from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest

from scorecard.exports.ranking import export_ranking, write_ranking_workbook
from scorecard.services.rounds.ranking import compute_ranking, ranking_rules

TODAY = dt.date(2025, 12, 31)


@pytest.fixture
def path(scored, tmp_path):
    out = tmp_path / "ranking.xlsx"
    export_ranking(scored.session, scored.w["leader"], scored.rnd, out, today=TODAY)
    return out


def test_tier_table(path):
    ws = openpyxl.load_workbook(path)["等次分布"]
    assert ws["A1"].value == "R1轮考核等次分布" and ws["A1"].font.color.rgb == "FFC00000"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_row=6)]
    # 机关: A 96 好, B 89 较好, X1 45 差; 医疗卫生: C 100 好, X2 38 差
    assert rows == [["考核类别", "好", "较好", "一般", "差", "合计"],
                    ["机关", 1, 1, 0, 1, 3],
                    ["医疗卫生", 1, 0, 0, 1, 2],
                    ["合计", 2, 1, 0, 2, 5]]
    assert all(type(v) is int for v in rows[1][1:])
    assert ws.freeze_panes == "B4" and ws.page_setup.orientation == "landscape"
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_native_chart_is_in_the_file(path):
    with zipfile.ZipFile(path) as z:
        assert "xl/charts/chart1.xml" in z.namelist()
        xml = z.read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in xml and '<c:grouping val="stacked"/>' in xml
    assert xml.count("<c:ser>") == 4  # one series per tier
    assert "等次分布" in xml and "$B$4:$B$5" in xml  # series values point at the table
    for fill in ("C6EFCE", "DDEBF7", "FFEB9C", "FFC7CE"):
        assert fill in xml
    ws = openpyxl.load_workbook(path)["等次分布"]
    assert len(ws._charts) == 1  # openpyxl keeps charts on load


def test_progress_reports_every_row_then_done(scored, tmp_path):
    report = compute_ranking(scored.session, scored.rnd, TODAY)
    seen = []
    write_ranking_workbook(report, tmp_path / "p.xlsx", ranking_rules(scored.rnd),
                           progress=lambda done, total: seen.append((done, total)))
    total = 3 * len(report.rows) + len(report.deductions) + len(report.adjustments)
    assert seen[-1] == (total, total)


def test_override_tier_outside_the_scheme_gets_a_column(scored, tmp_path):
    report = compute_ranking(scored.session, scored.rnd, TODAY)
    report.rows[0].tier = "优秀"
    out = tmp_path / "o.xlsx"
    write_ranking_workbook(report, out)
    ws = openpyxl.load_workbook(out)["等次分布"]
    assert [c.value for c in ws[3]] == ["考核类别", "好", "较好", "一般", "差", "优秀", "合计"]
