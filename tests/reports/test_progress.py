"""进度与逾期 report: the figures of a worked example, the workbook read back cell by cell, the
page (and 403 for units and clerks), and `scorecard export progress`.

Worked example (the scored round of tests/exports, self-assessment deadline 2025-12-01, today
2025-12-05): A confirmed, B returned, X1 (named "=1+1") drafted and overdue, C submitted, X2 not
started but reopened by an assessor (so not overdue). Assessor "assessor" scored every cell of
A, B, X1, C and two of X2; "assessor_a" (home unit A: 回避 on A) scored 1.1 of B and of C."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from click.testing import CliRunner

from scorecard.cli import main
from scorecard.exports.reports import write_progress_workbook
from scorecard.services.errors import PermissionDenied
from scorecard.services.reports.progress import progress_report, totals
from scorecard.services.selfassess import fill as selfassess
from scorecard.services.selfassess import review
from tests.conftest import login
from tests.exports.conftest import HOSTILE_NAME, sheet_xml

DEADLINE, BEFORE, TODAY = dt.date(2025, 12, 1), dt.date(2025, 11, 28), dt.date(2025, 12, 5)
RAW = {"1.1": {"value": "38"}, "1.2": {"deductions": []}, "2.1": {"level": "好"},
       "2.2": {"value": "9"}, "2.3": {"value": "9"}}
LEAVES = {"机关": ("1.1", "1.2", "2.1", "2.3"), "医疗卫生": ("1.1", "1.2", "2.1", "2.2")}


def _fill(world, unit, code, leaves=None):
    t = world.target(code)
    items = {}
    for leaf in leaves or LEAVES[t.category.name]:
        items[leaf] = selfassess.save_item(world.session, unit, t, world.indicator(leaf), RAW[leaf],
                                           check_version=False, today=BEFORE)
    return t, items


@pytest.fixture
def example(scored, make):
    w, s = scored.w, scored.session
    scored.rnd.self_deadline = DEADLINE
    units = {code: make.user(f"unit_{code.lower()}", "unit", scored.target(code).org) for code in ("C", "X1", "X2")}
    assessor = w["assessor"]
    t, items = _fill(scored, w["unit_a"], "A")
    selfassess.submit(s, w["unit_a"], t, today=BEFORE)
    for item in items.values():
        review.confirm(s, assessor, item)
    t, items = _fill(scored, w["unit_b"], "B")
    selfassess.submit(s, w["unit_b"], t, today=BEFORE)
    review.return_item(s, assessor, items["1.1"], "学习记录不全")
    t, _ = _fill(scored, units["C"], "C")
    selfassess.submit(s, units["C"], t, today=BEFORE)
    _fill(scored, units["X1"], "X1", ["1.1"])
    review.reopen(s, assessor, scored.target("X2"), "系统故障，补报")
    scored.score("B", "1.1", {"value": "30"}, user="assessor_a")
    scored.score("C", "1.1", {"value": "30"}, user="assessor_a")
    s.flush()
    return scored


def test_figures_of_the_worked_example(example):
    w = example.w
    report = progress_report(example.session, w["leader"], example.rnd, TODAY)
    assert [a.label for a in report.assessors] == ["assessor", "assessor_a"]
    ids = [a.id for a in report.assessors]
    cats = {c.category: c for c in report.categories}
    assert list(cats) == ["机关", "医疗卫生"]
    assert cats["机关"].targets == 3
    assert cats["机关"].counts == {"not_started": 0, "draft": 1, "submitted": 0, "returned": 1, "confirmed": 1}
    assert cats["医疗卫生"].counts == {"not_started": 1, "draft": 0, "submitted": 1, "returned": 0, "confirmed": 0}
    # 机关: A 4 cells × 1 assessor (assessor_a 回避), B and X1 4 × 2 → 20; scored 4 + 5 + 4
    assert (cats["机关"].expected, cats["机关"].scored, cats["机关"].rate) == (20, 13, Decimal("65.00"))
    assert (cats["医疗卫生"].expected, cats["医疗卫生"].scored, cats["医疗卫生"].rate) == (16, 7, Decimal("43.75"))
    total = totals(report)
    assert (total.category, total.targets, total.expected, total.scored, total.rate) == \
        ("合计", 5, 36, 20, Decimal("55.56"))
    assert total.counts == {"not_started": 1, "draft": 1, "submitted": 1, "returned": 1, "confirmed": 1}
    rows = {t.org_code: t for t in report.targets}
    assert [t.org_code for t in report.targets] == ["A", "B", "X1", "C", "X2"]
    assert rows["A"].by_assessor == {ids[0]: 4, ids[1]: None} and rows["A"].rate == Decimal("100.00")
    assert rows["B"].by_assessor == {ids[0]: 4, ids[1]: 1} and (rows["B"].expected, rows["B"].scored) == (8, 5)
    assert rows["X2"].by_assessor == {ids[0]: 2, ids[1]: 0} and rows["X2"].rate == Decimal("25.00")
    assert [t.status for t in report.targets] == ["已确认", "退回修改", "填报中", "已提交", "未填报"]
    assert [(o.number, o.org_code, o.org_name, o.category, o.group, o.status, o.days) for o in report.overdue] == \
        [(1, "X1", HOSTILE_NAME, "机关", "", "填报中", 4)]
    # on the deadline day nobody is overdue yet
    assert progress_report(example.session, w["leader"], example.rnd, DEADLINE).overdue == []


@pytest.mark.parametrize("who", ["unit_a", "clerk"])
def test_units_and_clerks_are_refused(example, who):
    with pytest.raises(PermissionDenied):
        progress_report(example.session, example.w[who], example.rnd, TODAY)


def values(ws, row):
    return [c.value for c in ws[row]]


def check_layout(ws, freeze: str, repeat: str):
    assert ws["A1"].font.color.rgb == "FFC00000" and ws["A1"].font.b
    assert "发布单位：机关工委" in ws["A2"].value and "日期：2025年12月5日" in ws["A2"].value
    assert "自评截止：2025年12月1日" in ws["A2"].value and "阶段：审核评分" in ws["A2"].value
    assert ws.freeze_panes == freeze
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == repeat
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_workbook_cell_by_cell(example, tmp_path):
    report = progress_report(example.session, example.w["assessor"], example.rnd, TODAY)
    path = tmp_path / "progress.xlsx"
    write_progress_workbook(report, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["进度汇总", "评分进度", "逾期未提交"]

    ws = wb["进度汇总"]
    assert ws["A1"].value == "R1轮考核自评与评分进度"
    assert values(ws, 3) == ["考核类别", "考核对象", "自评状态", None, None, None, None, "考核员评分", None, None]
    assert values(ws, 4) == [None, None, "未填报", "填报中", "已提交", "退回修改", "已确认",
                             "应评单元格", "已评单元格", "完成率(%)"]
    assert {"C3:G3", "H3:J3", "A3:A4", "B3:B4"} <= {str(r) for r in ws.merged_cells.ranges}
    assert values(ws, 5) == ["机关", 3, 0, 1, 0, 1, 1, 20, 13, 65]
    assert values(ws, 6) == ["医疗卫生", 2, 1, 0, 1, 0, 0, 16, 7, 43.75]
    assert values(ws, 7) == ["合计", 5, 1, 1, 1, 1, 1, 36, 20, 55.56]
    assert ws.max_row == 7
    assert type(ws["B5"].value) is int and ws["B5"].number_format == "0"
    assert ws["J6"].number_format == "0.00" and ws["J6"].data_type == "n"
    check_layout(ws, "B5", "$3:$4")

    ws = wb["评分进度"]
    assert ws["A1"].value == "R1轮考核考核员评分进度"
    assert values(ws, 3) == ["组织编码", "组织名称", "类别", "自评状态", "每位考核员应评", "各考核员已评单元格", None,
                             "合计", None, None]
    assert values(ws, 4) == [None, None, None, None, None, "assessor", "assessor_a", "应评", "已评", "完成率(%)"]
    assert values(ws, 5) == ["A", "甲局机关党委", "机关", "已确认", 4, 4, None, 4, 4, 100]
    assert values(ws, 6) == ["B", "乙局机关党委", "机关", "退回修改", 4, 4, 1, 8, 5, 62.5]
    assert values(ws, 7) == ["X1", HOSTILE_NAME, "机关", "填报中", 4, 4, 0, 8, 4, 50]
    assert values(ws, 9) == ["X2", "http://x.invalid", "医疗卫生", "未填报", 4, 2, 0, 8, 2, 25]
    assert ws["B7"].data_type == "s" and ws["F6"].number_format == "0" and ws["J6"].number_format == "0.00"
    check_layout(ws, "C5", "$3:$4")

    ws = wb["逾期未提交"]
    assert ws["A1"].value == "R1轮考核逾期未提交自评单位"
    assert values(ws, 3) == ["序号", "组织编码", "组织名称", "类别", "片组", "自评状态", "逾期天数"]
    assert values(ws, 4) == [1, "X1", HOSTILE_NAME, "机关", None, "填报中", 4]
    assert ws.max_row == 4 and type(ws["G4"].value) is int and ws["G4"].number_format == "0"
    assert ws["C4"].data_type == "s"
    check_layout(ws, "D4", "$3:$3")
    for name in wb.sheetnames:
        assert "<f>" not in sheet_xml(path, name)


URL = "/reports/rounds/{}/progress"


@pytest.fixture
def committed_example(example):
    example.session.commit()
    return example


def test_page_and_download(client, committed_example, monkeypatch):
    monkeypatch.setattr(selfassess, "local_today", lambda: TODAY)
    rnd = committed_example.rnd
    login(client, "leader")
    assert URL.format(rnd.id) in client.get(f"/reports/rounds/{rnd.id}/").get_data(as_text=True)
    html = client.get(URL.format(rnd.id)).get_data(as_text=True)
    for text in ("进度与逾期", "自评截止：2025年12月1日", "逾期未提交（1）", "=1+1", "填报中", "65.00", "43.75",
                 "55.56", "各考核员已评单元格", "assessor_a", 'colspan="5"', "合计"):
        assert text in html, text
    resp = client.get(URL.format(rnd.id) + ".xlsx")
    assert resp.status_code == 200 and resp.headers["Content-Disposition"].startswith("attachment")
    wb = openpyxl.load_workbook(io.BytesIO(resp.data))
    assert wb["逾期未提交"]["G4"].value == 4


@pytest.mark.parametrize("who", ["unit_a", "clerk"])
def test_page_403_for_units_and_clerks(client, committed_example, who):
    login(client, who)
    for suffix in ("", ".xlsx"):
        assert client.get(URL.format(committed_example.rnd.id) + suffix).status_code == 403


def test_page_403_outside_scope(client, committed_example, make):
    make.user("far", "leader", make.org("ZZ", "其他工委"))
    committed_example.session.commit()
    login(client, "far")
    assert client.get(URL.format(committed_example.rnd.id)).status_code == 403


@pytest.fixture
def cli(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SCORECARD_DATABASE_URL", db_url)
    monkeypatch.setenv("SCORECARD_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setattr(selfassess, "local_today", lambda: TODAY)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_cli_export_and_refusals(cli, committed_example, tmp_path):
    out = tmp_path / "progress.xlsx"
    result = cli("export", "progress", "--round", "R1", "--out", out, "--as", "leader")
    assert result.exit_code == 0 and "5个考核对象，逾期未提交1个" in result.output, result.output
    wb = openpyxl.load_workbook(out)
    assert wb["进度汇总"]["A7"].value == "合计" and wb["逾期未提交"]["B4"].value == "X1"
    bad = tmp_path / "bad.xlsx"
    result = cli("export", "progress", "--round", "R1", "--out", bad, "--as", "unit_a")
    assert result.exit_code == 1 and "没有权限" in result.output and not bad.exists()
    result = cli("export", "progress", "--round", "NOPE", "--out", bad, "--as", "leader")
    assert result.exit_code == 1 and "轮次“NOPE”不存在" in result.output
