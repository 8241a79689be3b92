"""Score import from the exported score template."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from scorecard.importers.common import FORMULA_MESSAGE, ImportFailed
from scorecard.importers.scores import LeafInfo, ScoreCell, leaf_code_of_header, parse_scores

from .builders import at, find, xlsx

LEAVES = [
    LeafInfo("1.1", "理论学习", D(10), "direct"),
    LeafInfo("1.2", "意识形态", D("5"), "grade"),
    LeafInfo("2.1", "三会一课", D(15), "deduct"),
    LeafInfo("2.2", "党费收缴", D(5), "deduct"),
    LeafInfo("3.1", "医疗服务", D(10), "direct"),
]
TARGETS = {"A01": "党政机关", "A02": "党政机关", "H01": "医疗卫生", "1001": "党政机关"}
APPLICABLE = {
    "党政机关": {"1.1", "1.2", "2.1", "2.2"},
    "医疗卫生": {"1.1", "1.2", "2.1", "2.2", "3.1"},
}
HEADER = ["组织编码", "组织名称", "1.1 理论学习", "1.2 意识形态", "2.1 三会一课", "2.2　党费收缴",
          "3.1 医疗服务", "备注"]
TITLE = ["2025年度党建考核评分表（考核员：王五）"]
FULL = [None, "满分", 10, 5, 15, 5, 10, None]


def parse(rows, sheet="评分", **kw):
    return parse_scores(xlsx({sheet: rows}, **kw), LEAVES, TARGETS, APPLICABLE)


def fail(rows, sheet="评分"):
    with pytest.raises(ImportFailed) as excinfo:
        parse(rows, sheet)
    return excinfo.value.issues


def test_happy_path_with_reasons():
    rows = [
        TITLE,
        HEADER,
        FULL,
        ["A01", "州财政局", 10, 4.5, 13, 4, None, "2.1：缺1次支委会；2.2:党费迟交1个月"],
        ["H01", "州人民医院", 9.75, None, 15, 5, 8, None],
        [],
        ["A02", "州教育局", None, None, 12, 3, None, "材料不全"],
        [1001, "数字编码单位", "8", None, None, None, None, "1.1：学习记录不全"],
    ]
    cells = parse(rows)
    assert cells == [
        ScoreCell(4, 3, "A01", "1.1", D(10), None),
        ScoreCell(4, 4, "A01", "1.2", D("4.5"), None),
        ScoreCell(4, 5, "A01", "2.1", D(13), "缺1次支委会"),
        ScoreCell(4, 6, "A01", "2.2", D(4), "党费迟交1个月"),
        ScoreCell(5, 3, "H01", "1.1", D("9.75"), None),
        ScoreCell(5, 5, "H01", "2.1", D(15), None),
        ScoreCell(5, 6, "H01", "2.2", D(5), None),
        ScoreCell(5, 7, "H01", "3.1", D(8), None),
        ScoreCell(7, 5, "A02", "2.1", D(12), "材料不全"),
        ScoreCell(7, 6, "A02", "2.2", D(3), "材料不全"),
        ScoreCell(8, 3, "1001", "1.1", D(8), "学习记录不全"),
    ]


def test_first_sheet_header_exactly_code_and_newline_reasons():
    rows = [
        ["评分"],
        ["序号", "组织编码", "组织名称", "2.1", "2.2", "备注"],
        [1, "A01", "甲", 14, 4.5, "2.1：缺1次\n2.2：迟交"],
    ]
    cells = parse_scores(xlsx({"Sheet1": rows}), LEAVES, TARGETS, APPLICABLE)
    assert [(c.column, c.leaf_code, c.points, c.reason) for c in cells] == [
        (4, "2.1", D(14), "缺1次"), (5, "2.2", D("4.5"), "迟交")]


def test_category_missing_from_applicable_means_all_leaves():
    cells = parse_scores(xlsx({"评分": [TITLE, HEADER, ["X", "某", None, None, None, None, 10, None]]}),
                         LEAVES, {"X": "其他"}, APPLICABLE)
    assert [c.leaf_code for c in cells] == ["3.1"]


def test_value_errors():
    rows = [
        TITLE,
        HEADER,
        ["A01", "甲", "十分", 6, 1.234, -1, None, None],
        ["A02", "乙", "=5+5", True, None, None, 10, None],
    ]
    issues = fail(rows)
    assert at(find(issues, "得分“十分”不是有效的数字")) == ("评分", 3, 3)
    assert at(find(issues, "得分6超出该项满分5.00")) == ("评分", 3, 4)
    assert at(find(issues, "得分1.234最多保留两位小数")) == ("评分", 3, 5)
    assert at(find(issues, "得分-1不能小于0")) == ("评分", 3, 6)
    assert at(find(issues, FORMULA_MESSAGE)) == ("评分", 4, 3)
    assert at(find(issues, "得分“TRUE”不是有效的数字")) == ("评分", 4, 4)
    assert at(find(issues, "指标3.1不适用于“党政机关”类别的组织，请留空")) == ("评分", 4, 7)
    assert len(issues) == 7


def test_deduct_needs_a_reason():
    rows = [TITLE, HEADER, ["A01", "甲", 10, None, 12, 4, None, "1.1：无关的说明"]]
    issues = fail(rows)
    assert at(find(issues, "第3行扣分项2.1低于满分，须在备注中写明扣分原因（格式：2.1：原因）")) == ("评分", 3, 5)
    assert at(find(issues, "第3行扣分项2.2低于满分")) == ("评分", 3, 6)
    assert len(issues) == 2
    # no 备注 column at all
    header = HEADER[:-1]
    issues = fail([TITLE, header, ["A01", "甲", None, None, 14, None, None]])
    assert [i.message for i in issues] == ["第3行扣分项2.1低于满分，须在备注中写明扣分原因（格式：2.1：原因）"]


def test_row_errors_unknown_and_duplicate_org():
    rows = [
        TITLE,
        HEADER,
        ["A01", "甲", 10, None, None, None, None, None],
        ["ZZ9", "不在本轮", 10, None, None, None, None, None],
        ["A01", "甲again", 9, None, None, None, None, None],
        [None, "无编码", 9, None, None, None, None, None],
    ]
    issues = fail(rows)
    assert at(find(issues, "组织编码“ZZ9”不在本轮考核对象中")) == ("评分", 4, 1)
    assert at(find(issues, "组织编码重复（与第3行相同）")) == ("评分", 5, 1)
    assert at(find(issues, "组织编码不能为空")) == ("评分", 6, 1)
    assert len(issues) == 3


def test_header_errors():
    header = ["组织编码", "组织名称", "1.1 理论学习", "9.9 不存在的指标", "1.1 再来一次", "联系人", "=A1", "备注"]
    issues = fail([TITLE, header, ["A01", "甲", 10, 3, None, "张三", None, None]])
    assert at(find(issues, "表头中的指标编码“9.9”不在考核方案中")) == ("评分", 2, 4)
    assert at(find(issues, "指标“1.1”的列重复（与C列相同）")) == ("评分", 2, 5)
    assert at(find(issues, FORMULA_MESSAGE)) == ("评分", 2, 7)
    assert len(issues) == 3


def test_missing_code_header_and_no_leaf_columns():
    issues = fail([TITLE, ["编码", "名称", "1.1 理论学习"], ["A01", "甲", 10]])
    assert [str(i) for i in issues] == [
        "工作表「评分」：未找到“组织编码”列：请使用导出的评分模板（前5行内需有“组织编码”表头）"]
    issues = fail([TITLE, ["组织编码", "组织名称", "备注"], ["A01", "甲", None]])
    assert [at(i) for i in issues] == [("评分", 2, None)]
    assert "未找到任何指标列" in issues[0].message


@pytest.mark.parametrize("text,known,unknown", [
    ("2.1 三会一课", "2.1", None),
    ("2.1\u3000三会一课", "2.1", None),
    ("2.1", "2.1", None),
    ("2.1三会一课", "2.1", None),
    ("9.9 其他", None, "9.9"),
    ("联系人", None, None),
])
def test_leaf_code_of_header(text, known, unknown):
    assert leaf_code_of_header(text, {"2.1"}) == (known, unknown)
