"""The printable score card workbook read back cell by cell with openpyxl."""
from __future__ import annotations

import io

import openpyxl
import pytest

from scorecard.exports.cards import DELTA_FORMAT, write_card_workbook
from scorecard.services.cards.card import build_card
from tests.cards.conftest import save_deduct
from tests.conftest import login


@pytest.fixture
def book(client, session, card_world):
    w = card_world
    leaf = next(i for i in w["scheme"].indicators if i.code == "1.1")
    leaf.rule_text = "=每学习一次得2分"  # hostile: must stay text
    from tests.rounds.conftest import score
    score(session, w["lisi"], w["ta"], "1.1", "35", "@SUM(1)")
    session.commit()
    login(client, "leader")
    resp = client.get(f"/cards/targets/{w['ta'].id}.xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in resp.headers["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(resp.data))


def _row(ws, r):
    return [c.value for c in ws[r]]


def test_title_summary_and_merges(book):
    assert book.sheetnames == ["评分卡"]
    ws = book["评分卡"]
    assert ws["A1"].value == "甲局机关党委考核评分卡" and ws["A1"].font.b
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:K1", "A2:K2", "A3:B3", "D3:K3"} <= merged
    for part in ("R1轮考核", "考核类别：机关", "组织编码：A", "阶段：审核评分"):
        assert part in ws["A2"].value
    summary = {ws.cell(r, 1).value: (ws.cell(r, 3), ws.cell(r, 4).value) for r in range(3, 12)}
    total, text = summary["总分"]
    assert (total.value, total.data_type, total.number_format) == (88.5, "n", "0.00")
    assert text == "= 基础分 89.50 + 加分 1.00 − 减分 2.00"
    rank = summary["排名"][0]
    assert (rank.value, rank.number_format) == (1, "0")
    assert summary["等次"][0].value == "较好" and summary["一票否决"][0].value == "否"
    delta = summary["较上一轮"][0]
    assert (delta.value, delta.number_format) == (14.5, DELTA_FORMAT)
    assert summary["基础分"][0].value == 89.5 and summary["加分"][0].value == 1 and summary["减分"][0].value == 2


def test_leaf_table_cell_by_cell(book):
    ws = book["评分卡"]
    assert _row(ws, 13) == ["编码", "指标", "分值", "评分方式", "评分标准", "assessor", None, "李四", None,
                            "得分", "扣分及原因"]
    assert _row(ws, 14) == [None, None, None, None, None, "评分", "评语", "评分", "评语", None, None]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"F13:G13", "H13:I13", "A13:A14", "J13:J14"} <= merged
    assert _row(ws, 15) == ["1", "政治建设（小计）", 60, None, None, None, None, None, None, 53.5, None]
    assert _row(ws, 16) == ["1.1", "第一议题", 40, "直接打分", "=每学习一次得2分", 38, "材料略少", 35, "@SUM(1)",
                            36.5, None]
    assert ws["E16"].data_type == "s" and ws["I16"].data_type == "s"  # text, never a formula
    assert _row(ws, 17)[:6] == ["1.2", "三会一课", 20, "扣分", None, 18]
    assert _row(ws, 17)[9:] == [17, "assessor：扣2分，三会一课缺记录；李四：扣4分，未按期召开支委会"]
    assert _row(ws, 18)[:3] == ["2", "组织建设（小计）", 40] and ws["J18"].value == 36
    assert _row(ws, 19)[6] == "档次：好（100%）" and _row(ws, 19)[8] == "档次：较好（80%）"
    for cell in ("C16", "F16", "H16", "J16", "J15"):
        assert ws[cell].data_type == "n" and ws[cell].number_format == "0.00", cell
    assert ws["J15"].font.b
    assert _row(ws, 21)[:4] == ["类型", "加分项 / 减分项", "分值", "原因"]
    assert _row(ws, 22)[:4] == ["加分", "B1 获得表彰", 1, "获得省级表彰"]
    assert _row(ws, 23)[:4] == ["减分", "P1 未按期换届", 2, "未按期换届"]
    assert ws.max_row == 23


def test_print_setup(book):
    ws = book["评分卡"]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$13:$14"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)  # 1 = default
    assert ws.page_setup.fitToHeight == 0
    assert ws.freeze_panes == "C15"
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_veto_override_and_no_previous(session, card_world, tmp_path):
    from scorecard.services.rounds import adjustments
    w = card_world
    adjustments.set_veto(session, w["assessor"], w["tb"], True, "发生严重违纪问题")
    adjustments.set_override(session, w["assessor"], w["tb"], "较好", "经集体研究调整")
    save_deduct(session, w["assessor"], w["tb"], 1, "未按期召开支委会")
    path = tmp_path / "b.xlsx"
    write_card_workbook(build_card(session, w["leader"], w["tb"]), path)
    ws = openpyxl.load_workbook(path)["评分卡"]
    summary = {ws.cell(r, 1).value: (ws.cell(r, 3).value, ws.cell(r, 4).value) for r in range(3, 13)}
    assert summary["一票否决"] == ("是", "原因：发生严重违纪问题（等次已封顶）")
    assert summary["等次调整"] == ("较好", "由“一般”调整为“较好”，原因：经集体研究调整")
    assert summary["较上一轮"] == ("—", "同一方案没有更早的考核轮次")
    assert "一票否决：发生严重违纪问题" in summary["备注"][1] and "经集体研究调整" in summary["备注"][1]


def test_same_card_same_bytes(session, card_world, tmp_path):
    import datetime as dt
    card = build_card(session, card_world["leader"], card_world["ta"], today=dt.date(2025, 12, 31))
    write_card_workbook(card, tmp_path / "1.xlsx")
    write_card_workbook(card, tmp_path / "2.xlsx")
    assert (tmp_path / "1.xlsx").read_bytes() == (tmp_path / "2.xlsx").read_bytes()
