"""The analysis workbooks read back with openpyxl: titles, merged headers, values, number
formats, frozen panes, print set-up; user text stays text."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from scorecard.exports.reports import (
    write_cards_workbook,
    write_compare_workbook,
    write_group_workbook,
    write_loss_workbook,
)
from scorecard.services.reports import analysis
from tests.exports.conftest import HOSTILE_NAME, HOSTILE_REASON, sheet_xml

TODAY = dt.date(2025, 12, 31)


def values(ws, row):
    return [c.value for c in ws[row]]


def check_layout(ws, header_rows: int, freeze: str):
    last = 2 + header_rows
    assert ws["A1"].font.color.rgb == "FFC00000" and ws["A1"].font.b
    assert "发布单位：机关工委" in ws["A2"].value and "日期：2025年12月31日" in ws["A2"].value
    assert ws.freeze_panes == freeze
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == f"$3:${last}"
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_loss_workbook(scored, tmp_path):
    report, rows = analysis.loss_analysis(scored.session, scored.w["leader"], scored.rnd, TODAY)
    path = tmp_path / "loss.xlsx"
    write_loss_workbook(report, rows, path)
    ws = openpyxl.load_workbook(path)["失分分析"]
    assert ws["A1"].value == "R1轮考核指标失分分析"
    assert values(ws, 3) == ["一级指标", "指标编码", "指标名称", "分值", "考核对象", None, None, "得分", None,
                             "扣分", None]
    assert values(ws, 4) == [None, None, None, None, "适用对象数", "已评分", "失分单位数", "平均得分", "失分率(%)",
                             "扣分次数", "最常见的扣分原因"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"E3:G3", "H3:I3", "J3:K3", "A3:A4", "D3:D4"} <= merged
    assert values(ws, 6) == ["政治建设", "1.2", "三会一课", 20, 5, 5, 2, 18.8, 6, 2,
                             f"未按期召开支委会（1次）；{HOSTILE_REASON}（1次）"]
    assert ws["H6"].number_format == "0.00" and ws["E6"].number_format == "0" and type(ws["E6"].value) is int
    assert ws["K6"].data_type == "s" and ws["K6"].alignment.wrap_text
    check_layout(ws, 2, "D5")
    assert "<f>" not in sheet_xml(path, "失分分析")


def test_group_workbook(scored, tmp_path):
    report, rows = analysis.group_summary(scored.session, scored.w["leader"], scored.rnd, TODAY)
    path = tmp_path / "groups.xlsx"
    write_group_workbook(report, rows, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["片组汇总", "片组成员"]
    ws = wb["片组汇总"]
    assert values(ws, 3) == ["片组", "成员数", "平均总分", "成员总分", None, "成员单位"]
    assert values(ws, 4) == [None, None, None, "最高", "最低", None]
    assert values(ws, 5) == ["第一片组", 2, 92.5, "甲局机关党委（96.00）", "乙局机关党委（89.00）", "甲局机关党委、乙局机关党委"]
    assert values(ws, 7)[0] == "未分组" and values(ws, 7)[5].startswith(HOSTILE_NAME)
    check_layout(ws, 2, "B5")
    members = wb["片组成员"]
    assert values(members, 4) == ["第一片组", "A", "甲局机关党委", "机关", 96, 1, "好"]
    assert members.max_row == 3 + 5
    check_layout(members, 1, "D4")


def test_cards_workbook_one_printable_sheet_per_target(scored, tmp_path):
    report, cards = analysis.score_cards(scored.session, scored.w["leader"], scored.rnd, today=TODAY)
    path = tmp_path / "cards.xlsx"
    write_cards_workbook(report, cards, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["A 甲局机关党委", "B 乙局机关党委", "X1 =1+1", "C 丙医院党委", "X2 http___x.invalid"]
    ws = wb["A 甲局机关党委"]
    assert ws["A1"].value == "甲局机关党委考核评分卡" and ws["A1"].font.color.rgb == "FFC00000"
    assert values(ws, 3) == ["基础分", "加分", "减分", "总分", "类别内排名", "等次"]
    assert values(ws, 4) == [96, None, None, 96, "1 / 3", "好"] or values(ws, 4) == [96, 0, 0, 96, "1 / 3", "好"]
    assert values(ws, 6) == ["指标编码", "指标", "分值", "得分", "失分", "扣分原因"]
    assert values(ws, 7)[:5] == ["1", "政治建设", 60, 56, 4] and ws["A7"].font.b
    assert values(ws, 9)[:5] == ["1.2", "三会一课", 20, 16, 4] and "未按期召开支委会" in ws["F9"].value
    assert ws["A14"].value == "备注：无" and "A14:F14" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.freeze_panes == "A7" and ws.print_title_rows == "$6:$6"
    assert ws.page_setup.orientation == "landscape" and ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert wb["X1 =1+1"]["A1"].value == f"{HOSTILE_NAME}考核评分卡"
    assert wb["X2 http___x.invalid"]["A14"].value == "备注：未评分2项"


def test_compare_workbook(scored, make, tmp_path):
    w = scored.w
    later = make.round(scored.scheme, w["root"], [w["a"]], code="R2")
    _, _, rows = analysis.compare_rounds(scored.session, w["leader"], later, scored.rnd, TODAY)
    current, previous, rows = analysis.compare_rounds(scored.session, w["leader"], later, scored.rnd, TODAY)
    path = tmp_path / "cmp.xlsx"
    write_compare_workbook(current, previous, rows, path)
    ws = openpyxl.load_workbook(path)["两轮对比"]
    assert ws["A1"].value == "R2轮考核与R1轮考核对比"
    assert values(ws, 3)[:4] == ["组织编码", "组织名称", "类别", "总分"]
    assert values(ws, 4)[3:] == ["上轮", "本轮", "变化", "上轮", "本轮", "升降", "上轮", "本轮", "变化"]
    assert {"D3:F3", "G3:I3", "J3:L3"} <= {str(r) for r in ws.merged_cells.ranges}
    assert values(ws, 5) == ["A", "甲局机关党委", "机关", 96, 0, -96, 1, 1, 0, "好", "差", "降"]
    assert ws["F5"].number_format == "+0.00;-0.00;0.00" and ws["I5"].number_format == "+0;-0;0"
    assert values(ws, 6)[0] == "B" and values(ws, 6)[-1] == "未参加" and values(ws, 6)[4] is None
    check_layout(ws, 2, "C5")


@pytest.mark.parametrize("writer", ["loss", "groups"])
def test_empty_round(world, tmp_path, writer):
    world.rnd.targets.clear()
    world.session.flush()
    fn = {"loss": (analysis.loss_analysis, write_loss_workbook),
          "groups": (analysis.group_summary, write_group_workbook)}[writer]
    report, rows = fn[0](world.session, world.w["leader"], world.rnd, TODAY)
    fn[1](report, rows, tmp_path / "e.xlsx")
    assert openpyxl.load_workbook(tmp_path / "e.xlsx").sheetnames
