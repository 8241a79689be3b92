"""The ranking workbook read back cell by cell with openpyxl."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from scorecard.domain.ranking import RankingRules, TierRule
from scorecard.exports.columns import ranking_columns
from scorecard.exports.ranking import export_ranking, ranking_title, write_ranking_workbook
from scorecard.exports.xlsx import text_width
from scorecard.services.errors import PermissionDenied
from scorecard.services.rounds import lifecycle as rounds
from scorecard.services.rounds.ranking import compute_ranking
from tests.exports.conftest import HOSTILE_NAME, HOSTILE_REASON, URL_NAME, read_bytes, sheet_xml

TODAY = dt.date(2025, 12, 31)
SHEETS = ["机关", "医疗卫生", "总体", "等次分布", "得分明细", "扣分原因", "加减分", "说明"]
HEADER_1 = ["排名", "组织编码", "组织名称", "类别", "一级指标得分", None, "基础分", "加分", "减分", "总分", "等次", "备注"]
HEADER_2 = [None, None, None, None, "政治建设（60分）", "组织建设（50分）", None, None, None, None, None, None]


@pytest.fixture
def exported(scored, tmp_path):
    path = tmp_path / "ranking.xlsx"
    export_ranking(scored.session, scored.w["leader"], scored.rnd, path, today=TODAY)
    return scored, path, openpyxl.load_workbook(path)


def col_widths(ws) -> dict[int, float]:
    """Column index → width (XlsxWriter writes adjacent equal columns as one <col min max>)."""
    out = {}
    for dim in ws.column_dimensions.values():
        for index in range(dim.min, dim.max + 1):
            out[index] = dim.width
    return out


def _values(ws, row):
    return [c.value for c in ws[row]]


def test_sheet_names_and_titles(exported):
    _, _, wb = exported
    assert wb.sheetnames == SHEETS
    ws = wb["机关"]
    assert ws["A1"].value == "R1轮考核结果排名表"
    assert ws["A1"].font.name == "黑体" and ws["A1"].font.sz == 16 and ws["A1"].font.b
    assert ws["A1"].font.color.rgb == "FFC00000"  # 红头: red title over a red rule
    assert ws["A2"].border.bottom.style == "double" and ws["A2"].border.bottom.color.rgb == "FFC00000"
    assert ws["A1"].alignment.horizontal == "center"
    subtitle = ws["A2"].value
    for part in ("考核类别：机关", "发布单位：机关工委", "日期：2025年12月31日", "阶段：审核评分", "满分100分"):
        assert part in subtitle
    assert "全部考核对象" in wb["总体"]["A2"].value


def test_category_sheet_headers_and_merges(exported):
    _, _, wb = exported
    for name in ("机关", "医疗卫生", "总体"):
        ws = wb[name]
        assert _values(ws, 3) == HEADER_1
        assert _values(ws, 4) == HEADER_2
        merged = {str(r) for r in ws.merged_cells.ranges}
        vertical = {f"{c}3:{c}4" for c in "ABCDGHIJKL"}
        assert merged == {"A1:L1", "A2:L2", "E3:F3"} | vertical


def test_values_match_compute_report(exported):
    world, _, wb = exported
    report = compute_ranking(world.session, world.rnd, TODAY)
    columns = ranking_columns(report)
    for category in report.categories:
        ws = wb[category]
        rows = report.rows_of(category)
        assert ws.max_row == 4 + len(rows)
        for i, r in enumerate(rows, start=5):
            for j, col in enumerate(columns, start=1):
                cell, want = ws.cell(i, j), col.value(r)
                if col.kind == "int":
                    assert cell.value == want and type(cell.value) is int and cell.number_format == "0"
                elif col.kind == "num":
                    assert Decimal(str(cell.value)) == want and cell.number_format == "0.00"
                else:
                    assert cell.value == (want or None) and (want == "" or cell.data_type == "s")
    a = wb["机关"]
    assert _values(a, 5)[:4] == [1, "A", "甲局机关党委", "机关"] and a["J5"].value == 96
    assert _values(a, 6)[:3] == [2, "B", "乙局机关党委"] and a["H6"].value == 1 and a["J6"].value == 89
    assert _values(a, 7)[:3] == [3, "X1", HOSTILE_NAME] and a["I7"].value == 2 and a["J7"].value == 45
    assert wb["医疗卫生"]["L6"].value == "未评分2项"


def test_overall_sheet_orders_by_category_then_rank(exported):
    _, _, wb = exported
    ws = wb["总体"]
    assert [(ws.cell(r, 2).value, ws.cell(r, 1).value) for r in range(5, 10)] == [
        ("A", 1), ("B", 2), ("X1", 3), ("C", 1), ("X2", 2)]


def test_tier_cells_coloured(exported):
    _, _, wb = exported
    ws = wb["机关"]
    assert ws["K5"].value == "好" and ws["K5"].fill.fgColor.rgb == "FFC6EFCE"
    assert ws["K6"].value == "较好" and ws["K6"].fill.fgColor.rgb == "FFDDEBF7"
    assert ws["K7"].value == "差" and ws["K7"].fill.fgColor.rgb == "FFFFC7CE"
    assert wb["医疗卫生"]["K5"].value == "好" and wb["医疗卫生"]["K5"].fill.fgColor.rgb == "FFC6EFCE"
    assert ws["L5"].alignment.wrap_text  # 备注 wraps


def test_every_tier_has_its_own_fill():
    from scorecard.exports.xlsx import tier_colors

    fills = [tier_colors(i, 4)[0] for i in range(4)]
    assert len(set(fills)) == 4 and fills[0] == "#C6EFCE" and fills[-1] == "#FFC7CE"
    assert tier_colors(0, 1)[0] == "#C6EFCE"


def test_layout_freeze_filter_print_widths(exported):
    world, _, wb = exported
    columns = ranking_columns(compute_ranking(world.session, world.rnd, TODAY))
    for name, last in (("机关", 7), ("医疗卫生", 6), ("总体", 9)):
        ws = wb[name]
        assert ws.freeze_panes == "D5"
        assert ws.auto_filter.ref == f"A4:L{last}"
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1) and int(ws.page_setup.fitToHeight) == 0
        assert ws.print_title_rows == "$3:$4"
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
        widths = col_widths(ws)
        # CJK counts as 2: the longest name, plus padding, whatever the spec's guess
        names = [ws.cell(r, 3).value for r in range(5, last + 1)]
        longest = max(text_width(n) for n in names)
        assert longest + 2 <= widths[3] < longest + 4, name
        assert widths[2] >= text_width("组织编码") + 2 and widths[10] >= 8  # header, "100.00"
        assert len(widths) == len(columns)


def test_detail_sheet(exported):
    _, _, wb = exported
    ws = wb["得分明细"]
    assert ws["A1"].value == "R1轮考核指标得分明细"
    assert _values(ws, 3) == ["组织编码", "组织名称", "类别", "政治建设", None, None,
                              "组织建设", None, None, None, "基础分", "总分", "等次", "备注"]
    assert _values(ws, 4) == [None, None, None, "1.1 第一议题（40分）", "1.2 三会一课（20分）", "小计（60分）",
                              "2.1 主题党日（30分）", "2.2 医德医风（10分）", "2.3 机关作风（10分）", "小计（50分）",
                              None, None, None, None]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"D3:F3", "G3:J3", "A3:A4", "B3:B4", "C3:C4", "K3:K4", "L3:L4", "M3:M4", "N3:N4"} <= merged
    assert _values(ws, 5) == ["A", "甲局机关党委", "机关", 40, 16, 56, 30, None, 10, 40, 96, 96, "好", None]
    assert _values(ws, 9) == ["X2", URL_NAME, "医疗卫生", 20, 18, 38, None, None, None, 0, 38, 38, "差", "未评分2项"]
    assert ws["H5"].fill.fgColor.rgb == "FFD9D9D9"  # 2.2 does not apply to 机关
    assert ws["G9"].fill.fill_type is None  # 2.1 applies to X2 but is not scored
    assert ws["F5"].font.b and ws["F5"].number_format == "0.00"  # 小计
    assert ws.freeze_panes == "C5" and ws.auto_filter.ref == "A4:N9" and ws.print_title_rows == "$3:$4"


def test_deduction_and_adjustment_sheets(exported):
    world, _, wb = exported
    ws = wb["扣分原因"]
    assert _values(ws, 3) == ["类别", "组织编码", "组织名称", "指标", "扣分", "扣分原因", "考核员"]
    rows = [_values(ws, r) for r in range(4, ws.max_row + 1)]
    assert rows == [["机关", "A", "甲局机关党委", "1.2 三会一课", 4, "未按期召开支委会", "assessor"],
                    ["医疗卫生", "X2", URL_NAME, "1.2 三会一课", 2, HOSTILE_REASON, "assessor"]]
    assert ws["E4"].number_format == "0.00"
    report = compute_ranking(world.session, world.rnd, TODAY)
    assert {d.reason for d in report.deductions} == {r[5] for r in rows}
    assert ws.freeze_panes == "D4" and ws.print_title_rows == "$3:$3"
    ws = wb["加减分"]
    assert _values(ws, 3) == ["类别", "组织编码", "组织名称", "项目", "加分/减分", "分值", "原因"]
    assert _values(ws, 4) == ["机关", "B", "乙局机关党委", "B1 获得表彰", "加分", 1, "获评先进党组织"]
    assert _values(ws, 5) == ["机关", "X1", HOSTILE_NAME, "P1 未按期换届", "减分", 2, HOSTILE_REASON]


def test_notes_sheet_explains_totals_and_tiers(exported):
    _, _, wb = exported
    text = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    for part in ("平均值", "四舍五入保留两位小数", "基础分", "加分合计不超过3分", "总分 = 基础分 + 加分",
                 "1、2、2、4", "好：90分及以上", "较好：80分及以上", "一般：60分及以上", "差：60分以下",
                 "一票否决", "实时计算"):
        assert part in text, part


def test_no_formulas_or_hyperlinks_anywhere(exported):
    _, path, wb = exported
    for name in wb.sheetnames:
        xml = sheet_xml(path, name)
        assert "<f>" not in xml and "<f " not in xml and "<hyperlink" not in xml
    with zipfile.ZipFile(path) as z:
        rels = [z.read(n).decode() for n in z.namelist() if "worksheets/_rels" in n]
        assert rels and all("hyperlink" not in r for r in rels)  # only the chart's drawing
        strings = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
    assert "http://x.invalid" in strings and "=1+1" in strings and "@SUM(1)" in strings
    assert wb["机关"]["C7"].value == HOSTILE_NAME and wb["机关"]["C7"].data_type == "s"


def test_finalized_round_is_byte_identical_and_keeps_old_names(scored, tmp_path):
    world = scored
    # 公示 for the 7 days before TODAY; 定档 on TODAY, the window having ended
    rounds.advance(world.session, world.w["assessor"], world.rnd, "publish", today=TODAY - dt.timedelta(days=7))
    rounds.advance(world.session, world.w["assessor"], world.rnd, "finalize", today=TODAY)
    first, second, third = (tmp_path / f"{n}.xlsx" for n in (1, 2, 3))
    export_ranking(world.session, world.w["leader"], world.rnd, first)
    export_ranking(world.session, world.w["assessor"], world.rnd, second, today=dt.date(2030, 1, 1))
    assert read_bytes(first) == read_bytes(second)
    world.w["a"].name = "甲局机关党委（已更名）"
    world.session.flush()
    export_ranking(world.session, world.w["leader"], world.rnd, third)
    assert read_bytes(first) == read_bytes(third)
    wb = openpyxl.load_workbook(third)
    assert wb["机关"]["C5"].value == "甲局机关党委"
    assert "阶段：已定档" in wb["机关"]["A2"].value and "日期：2025年12月31日" in wb["机关"]["A2"].value
    assert wb.properties.created == dt.datetime(2025, 12, 31)
    notes = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "定档时冻结的快照" in notes


def test_permission(scored, tmp_path):
    with pytest.raises(PermissionDenied):
        export_ranking(scored.session, scored.w["unit_a"], scored.rnd, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_rules_quota_tie_break_conversion_and_odd_category_names(world, tmp_path):
    report = compute_ranking(world.session, world.rnd, TODAY)
    report.categories = ["a/b:c*?", "机关"]
    for row in report.rows:
        row.category = "a/b:c*?" if row.category == "医疗卫生" else row.category
    rules = RankingRules(tiers=(TierRule("优秀", Decimal(90), Decimal(20)), TierRule("合格", Decimal(60)),
                                TierRule("不合格", Decimal(0))),
                         trimmed=True, convert=True, bonus_cap=None, veto_cap="合格", tie_break=("2", "1"))
    path = tmp_path / "r.xlsx"
    write_ranking_workbook(report, path, rules)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["a_b_c__", "机关", "总体"]
    text = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    for part in ("去掉一个最高分和一个最低分", "基础分 = 原始分 × 100 ÷ 适用满分", "“优秀”不超过本类别考核对象的20%（向下取整）",
                 "依次比较“组织建设”得分、“政治建设”得分", "最高为“合格”", "不合格：60分以下"):
        assert part in text, part
    assert "加分合计不超过" not in text


def test_ranking_title():
    assert ranking_title("2025年度党建考核") == "2025年度党建考核结果排名表"
    assert ranking_title("2025年度第一季度") == "2025年度第一季度考核结果排名表"


def test_empty_category_sheet_still_has_header_and_filter(world, tmp_path):
    report = compute_ranking(world.session, world.rnd, TODAY)
    report.rows = []
    path = tmp_path / "e.xlsx"
    write_ranking_workbook(report, path)
    ws = openpyxl.load_workbook(path)["机关"]
    assert ws.max_row == 4 and ws.auto_filter.ref == "A4:L4" and ws.freeze_panes == "D5"
    assert re.search("R1", ws["A1"].value)
