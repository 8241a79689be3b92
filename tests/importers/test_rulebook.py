"""Published rulebook (考核细则) layouts, modelled on tables printed in Chinese government
documents and converted to Excel: merged first levels, section rows, points inside names,
three levels, title rows, 合计 rows, ignored columns."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from scorecard.importers.common import FORMULA_MESSAGE, ImportFailed
from scorecard.importers.rulebook import split_name
from scorecard.importers.scheme import parse_scheme

from .builders import at, find, xlsx


def tree(scheme):
    """(code, parent, name, points) for every indicator, in order."""
    return [(i.code, i.parent_code, i.name, i.max_points) for i in scheme.indicators]


def by_code(scheme):
    return {i.code: i for i in scheme.indicators}


# --- layout 1: 一级指标 | 二级指标 | 考核内容 | 评分标准 | 分值, merged first levels, 合计 row --------

LAYOUT1 = [
    ["2025年度机关党建工作考核细则"],
    ["一级指标", "二级指标", "考核内容", "评分标准", "分值"],
    ["一、政治建设（20分）", "1.理论学习", "落实党组（党委）理论学习中心组学习制度",
     "未制定年度学习计划扣1分；\n每少1次集体学习扣0.5分", 10],
    [None, "2.意识形态工作", "落实意识形态工作责任制", "未专题研究意识形态工作扣2分", 10],
    ["二、组织建设", "3.“三会一课”", "严格落实“三会一课”制度", "每缺1次扣1分，扣完为止", 15],
    [None, "4.发展党员", "规范发展党员程序", "程序不规范的扣2分", 5],
    [None, "5.党费收缴", "按时足额收缴党费", "未按时收缴扣1分", 2.5],
    ["三、党风廉政建设（30分）", "6.主体责任", "落实全面从严治党主体责任", "未签订责任书扣3分", 30],
    [],
    ["合计", None, None, None, 100],
]
LAYOUT1_MERGES = ["A1:E1", "A3:A4", "A5:A7", "A10:D10"]


def test_layout1_merged_first_levels_and_total_row():
    scheme = parse_scheme(xlsx({"考核细则": LAYOUT1}, {"考核细则": LAYOUT1_MERGES}))
    assert scheme.layout == "rulebook"
    assert scheme.title == "2025年度机关党建工作考核细则"
    assert tree(scheme) == [
        ("1", None, "政治建设", D(20)),
        ("1.1", "1", "理论学习", D(10)),
        ("1.2", "1", "意识形态工作", D(10)),
        ("2", None, "组织建设", D("22.5")),
        ("2.1", "2", "“三会一课”", D(15)),
        ("2.2", "2", "发展党员", D(5)),
        ("2.3", "2", "党费收缴", D("2.5")),
        ("3", None, "党风廉政建设", D(30)),
        ("3.1", "3", "主体责任", D(30)),
    ]
    ind = by_code(scheme)
    assert ind["1.1"].rule_text == "未制定年度学习计划扣1分；\n每少1次集体学习扣0.5分"
    assert ind["1.1"].content == "落实党组（党委）理论学习中心组学习制度"
    assert ind["2.1"].rule_text == "每缺1次扣1分，扣完为止"
    assert all(ind[c].rule_type == "direct" and ind[c].params == {} for c in ("1.1", "2.3", "3.1"))
    assert ind["1"].rule_type == "" and ind["1"].rule_text == ""
    assert ind["1.1"].row == 3 and ind["2"].row == 5
    # 合计 says 100, the table sums to 72.5: recorded, not an error
    assert scheme.settings == {"declared_total": D(100)}
    assert [t.name for t in scheme.tiers] == ["好", "较好", "一般", "差"]


def test_layout1_without_merges_forward_fills_first_level():
    """The same table after a conversion that lost the merges: blanks below a first level."""
    scheme = parse_scheme(xlsx({"Sheet1": LAYOUT1}))
    assert [c for c, *_ in tree(scheme)] == ["1", "1.1", "1.2", "2", "2.1", "2.2", "2.3", "3", "3.1"]


# --- layout 2: 序号 | 考核项目 | 考核内容 | 分值 | 评分标准 | 自查分 | 考核分, section rows ----------

LAYOUT2 = [
    ["附件1"],
    ["2025年度市直机关党建工作考核评分细则"],
    ["序号", "考核项目", "考核内容", "分值", "评分标准", "自查分", "考核分"],
    ["一、政治建设（20分）"],
    [1, "理论武装", "深入学习贯彻习近平新时代中国特色社会主义思想", 10, "未开展专题学习扣3分", 9, None],
    [2, "政治生态", "严明政治纪律和政治规矩", "10分", "发现违反政治纪律的不得分", 10, 8],
    ["二、组织建设（30分）"],
    [3, "支部建设", "党支部按期换届，支委会健全", 15, "未按期换届扣5分", None, None],
    [4, "党员管理", "党员教育管理、组织关系转接规范", 15, "每发现1例不规范扣1分", None, None],
    [None],
    ["三、作风建设"],
    [5, "作风纪律", None, 30, "违反中央八项规定精神的，该项不得分", None, None],
    ["合  计", None, None, 80, None, None, None],
]
LAYOUT2_MERGES = ["A1:G1", "A2:G2", "A4:G4", "A7:G7", "A11:G11", "A13:C13"]


def test_layout2_section_rows_two_title_rows_ignored_columns():
    scheme = parse_scheme(xlsx({"评分表": LAYOUT2}, {"评分表": LAYOUT2_MERGES}))
    assert scheme.title == "2025年度市直机关党建工作考核评分细则"
    assert tree(scheme) == [
        ("1", None, "政治建设", D(20)),
        ("1.1", "1", "理论武装", D(10)),
        ("1.2", "1", "政治生态", D(10)),
        ("2", None, "组织建设", D(30)),
        ("2.1", "2", "支部建设", D(15)),
        ("2.2", "2", "党员管理", D(15)),
        ("3", None, "作风建设", D(30)),
        ("3.1", "3", "作风纪律", D(30)),
    ]
    ind = by_code(scheme)
    assert ind["1.2"].rule_text == "发现违反政治纪律的不得分"
    assert ind["1.1"].content == "深入学习贯彻习近平新时代中国特色社会主义思想"
    assert ind["3.1"].content == ""
    assert scheme.settings == {}  # 合计 80 agrees with the sum


def test_layout2_section_rows_without_merges():
    """Section rows survive a lost merge: the text sits in the 序号 column on its own."""
    scheme = parse_scheme(xlsx({"评分表": LAYOUT2}))
    assert [n for _, _, n, _ in tree(scheme)] == [
        "政治建设", "理论武装", "政治生态", "组织建设", "支部建设", "党员管理", "作风建设", "作风纪律"]


# --- layout 3: "五个好" 百分制: 类别 | 考核内容 | 评分标准, points inside the names -----------------

LAYOUT3 = [
    ["“五个好”党支部创建标准（百分制）"],
    ["类别", "考核内容", "评分标准"],
    ["好的班子（16分）", "1.支部委员会设置规范，按期换届（4分）", "未按期换届扣4分"],
    [None, "2.书记政治素质好、履职能力强（6分）", "书记履职不力的，视情况扣2-6分"],
    [None, "3.委员分工明确、团结协作（6分）", "分工不明确扣2分"],
    ["好的队伍（20分）", "1．党员教育管理规范（10分）", "未建立党员档案扣2分"],
    [None, "2、发展党员规范（10分）", "发展程序不规范的不得分"],
    ["好的制度(18.5分)", "（一）落实“三会一课”（9分）", "每缺1次扣1分"],
    [None, "（二）主题党日(9.5分)", "未开展的不得分"],
]
LAYOUT3_MERGES = ["A1:C1", "A3:A5", "A6:A7", "A8:A9"]


def test_layout3_points_inside_names_no_points_column():
    scheme = parse_scheme(xlsx({"五个好": LAYOUT3}, {"五个好": LAYOUT3_MERGES}))
    assert scheme.title == "“五个好”党支部创建标准（百分制）"
    assert tree(scheme) == [
        ("1", None, "好的班子", D(16)),
        ("1.1", "1", "支部委员会设置规范，按期换届", D(4)),
        ("1.2", "1", "书记政治素质好、履职能力强", D(6)),
        ("1.3", "1", "委员分工明确、团结协作", D(6)),
        ("2", None, "好的队伍", D(20)),
        ("2.1", "2", "党员教育管理规范", D(10)),
        ("2.2", "2", "发展党员规范", D(10)),
        ("3", None, "好的制度", D("18.5")),
        ("3.1", "3", "落实“三会一课”", D(9)),
        ("3.2", "3", "主题党日", D("9.5")),
    ]
    assert by_code(scheme)["1.2"].rule_text == "书记履职不力的，视情况扣2-6分"


# --- layout 4: three levels: 目标 | 考评项目 | 三级指标 | 工作要求 | 评分说明 | 标准分 | 考评方式 ------

LAYOUT4 = [
    ["2025年度党建目标责任考评细则"],
    ["目标", "考评项目", "三级指标", "工作要求", "评分说明", "标准分", "考评方式"],
    ["党的政治建设（25分）", "1.政治理论学习（15分）", "（1）中心组学习", "每年集中学习不少于12次",
     "少1次扣1分", 8, "日常考核、实地核验"],
    [None, None, "（2）支部学习", "每月开展集中学习", "少1次扣0.5分", 7, "日常考核"],
    [None, "2.政治纪律", None, "严守政治纪律和政治规矩", "有违反的，该项不得分", 10, "述职评议"],
    ["党的组织建设", "3.基层组织", "（1）组织设置", "应建尽建", "未按规定设置扣5分", 5, "实地核验"],
    [None, None, "（2）换届选举", "按期换届", "未按期换届扣5分", 5, None],
    [None, "4.党员队伍", "（1）发展党员", "严格程序", "程序不规范扣3分", 6, "日常考核/实地核验"],
    [None, None, "（2）党员教育", "开展党员冬训", "未开展扣4分", 4, "日常考核"],
    ["总计", None, None, None, None, 45, None],
]
LAYOUT4_MERGES = ["A1:G1", "A3:A5", "B3:B4", "A6:A9", "B6:B7", "B8:B9", "G6:G7", "A10:E10"]


def test_layout4_three_levels():
    scheme = parse_scheme(xlsx({"细则": LAYOUT4}, {"细则": LAYOUT4_MERGES}))
    assert scheme.title == "2025年度党建目标责任考评细则"
    assert tree(scheme) == [
        ("1", None, "党的政治建设", D(25)),
        ("1.1", "1", "政治理论学习", D(15)),
        ("1.1.1", "1.1", "中心组学习", D(8)),
        ("1.1.2", "1.1", "支部学习", D(7)),
        ("1.2", "1", "政治纪律", D(10)),
        ("2", None, "党的组织建设", D(20)),
        ("2.1", "2", "基层组织", D(10)),
        ("2.1.1", "2.1", "组织设置", D(5)),
        ("2.1.2", "2.1", "换届选举", D(5)),
        ("2.2", "2", "党员队伍", D(10)),
        ("2.2.1", "2.2", "发展党员", D(6)),
        ("2.2.2", "2.2", "党员教育", D(4)),
    ]
    ind = by_code(scheme)
    assert ind["1.1.1"].methods == ["日常考核", "实地核验"]
    assert ind["1.1.1"].content == "每年集中学习不少于12次"
    assert ind["1.2"].rule_text == "有违反的，该项不得分" and ind["1.2"].rule_type == "direct"
    assert ind["1.1"].rule_type == ""
    assert ind["2.1.2"].methods == ["实地核验"]  # 考评方式 merged over G6:G7
    assert ind["2.2.1"].methods == ["日常考核", "实地核验"]
    assert scheme.settings == {}


# --- layout 5: 考核项目 | 考核内容 | 评分标准 | 分值 with 考核项目 merged as the first level ------------

LAYOUT5 = [
    ["考核项目", "考核内容", "评分标准", "分值"],
    ["党建工作责任制", "1.制定年度党建工作计划", "未制定的扣2分", 2],
    [None, "2.书记抓党建述职", "未述职的扣3分", 3],
    ["组织生活", "3.“三会一课”", "每缺1次扣0.5分", 5],
    [None, "4.组织生活会和民主评议党员", "未召开的不得分", 5],
]


def test_layout5_project_column_merged_is_first_level():
    scheme = parse_scheme(xlsx({"Sheet1": LAYOUT5}, {"Sheet1": ["A2:A3", "A4:A5"]}))
    assert scheme.title is None
    assert tree(scheme) == [
        ("1", None, "党建工作责任制", D(5)),
        ("1.1", "1", "制定年度党建工作计划", D(2)),
        ("1.2", "1", "书记抓党建述职", D(3)),
        ("2", None, "组织生活", D(10)),
        ("2.1", "2", "“三会一课”", D(5)),
        ("2.2", "2", "组织生活会和民主评议党员", D(5)),
    ]
    assert by_code(scheme)["2.1"].content == ""


def test_flat_table_with_numbered_section_column_and_split_rule_rows():
    """序号 holds 一/二 for sections and 1/2 for items; an item merged over two scoring lines
    keeps both lines and adds their points; 小计 rows are skipped."""
    rows = [
        ["序号", "考核指标", "评分要点", "分数", "得分"],
        ["一", "政治建设", None, 20, None],
        [1, "理论学习", "制定学习计划得2分；", 2, None],
        [None, None, "按计划开展学习得8分", 8, None],
        [2, "政治生态", "无违纪得10分", 10, None],
        [None, "小计", None, 20, None],
        ["二", "组织建设", None, None, None],
        [3, "组织生活", "按要求开展", 10, None],
    ]
    scheme = parse_scheme(xlsx({"Sheet1": rows}, {"Sheet1": ["A3:A4", "B3:B4"]}))
    assert tree(scheme) == [
        ("1", None, "政治建设", D(20)),
        ("1.1", "1", "理论学习", D(10)),
        ("1.2", "1", "政治生态", D(10)),
        ("2", None, "组织建设", D(10)),
        ("2.1", "2", "组织生活", D(10)),
    ]
    assert by_code(scheme)["1.1"].rule_text == "制定学习计划得2分；\n按计划开展学习得8分"


def test_content_as_first_column_and_level_one_own_points():
    rows = [
        ["考核内容", "考核要点", "评分细则", "权重", "备注"],
        ["党建责任（10分）", "落实主体责任", "未落实扣2分", 6, "备注不读"],
        [None, "第一责任人职责", "未履行扣2分", 4, None],
        ["创新工作", None, "有创新得分", 5, None],
    ]
    scheme = parse_scheme(xlsx({"Sheet1": rows}, {"Sheet1": ["A2:A3"]}))
    assert tree(scheme) == [
        ("1", None, "党建责任", D(10)),
        ("1.1", "1", "落实主体责任", D(6)),
        ("1.2", "1", "第一责任人职责", D(4)),
        ("2", None, "创新工作", D(5)),
    ]
    assert by_code(scheme)["2"].rule_type == "direct"  # a first level with its own points is a leaf


# --- layout 6: two-row header, a points column per level, first level repeated on every row --

LAYOUT6 = [
    ["附件2"],
    ["基层党组织书记抓党建述职评议考核评分表"],
    ["考核指标", None, "分值", None, "评分要点", "得分", None],
    ["一级指标", "二级指标", "一级", "二级", None, "自评", "复核"],
    ["基础保障", "阵地建设", 10, 4, "有固定活动场所", None, None],
    ["基础保障", "经费保障", 10, 6, "党建经费列入预算", None, None],
    ["党员队伍", "发展党员", 12, 12, "按计划发展", None, None],
    ["合计", None, 22, 22, None, None, None],
]


def test_layout6_two_row_header_and_points_per_level():
    merges = ["A2:G2", "A3:B3", "C3:D3", "E3:E4", "F3:G3"]
    scheme = parse_scheme(xlsx({"Sheet1": LAYOUT6}, {"Sheet1": merges}))
    assert scheme.title == "基层党组织书记抓党建述职评议考核评分表"
    assert tree(scheme) == [
        ("1", None, "基础保障", D(10)),
        ("1.1", "1", "阵地建设", D(4)),
        ("1.2", "1", "经费保障", D(6)),
        ("2", None, "党员队伍", D(12)),
        ("2.1", "2", "发展党员", D(12)),
    ]
    assert by_code(scheme)["1.1"].rule_text == "有固定活动场所"
    assert scheme.settings == {}


@pytest.mark.parametrize("text,name,points", [
    ("好的班子（16分）", "好的班子", D(16)),
    ("政治建设(20分)", "政治建设", D(20)),
    ("一、政治建设（ 2.5 分）", "政治建设", D("2.5")),
    ("（4分）落实制度", "落实制度", D(4)),
    ("（一）落实“三会一课”", "落实“三会一课”", None),
    ("1.1 党组织建设", "党组织建设", None),
    ("十二、其他", "其他", None),
    ("1.5倍加分", "1.5倍加分", None),
    ("十分重要", "十分重要", None),
    ("（１２分）全角", "全角", D(12)),
])
def test_split_name(text, name, points):
    assert split_name(text) == (name, points)


# --- errors ----------------------------------------------------------------------------

def fail(rows, merges=None, title="Sheet1"):
    with pytest.raises(ImportFailed) as excinfo:
        parse_scheme(xlsx({title: rows}, {title: merges or []}))
    return excinfo.value.issues


def test_no_recognisable_header():
    issues = fail([["2025年度考核"], ["单位", "自查情况", "说明"], ["a", "b", "c"]])
    issue = find(issues, "未找到表头：需要包含“考核项目/二级指标”和“分值”等列")
    assert at(issue) == ("Sheet1", None, None)


def test_leaf_without_points_non_numeric_negative_and_first_level_without_leaves():
    rows = [
        ["一级指标", "二级指标", "评分标准", "分值"],
        ["政治建设", "理论学习", "少1次扣1分", None],
        [None, "意识形态", "未研究扣2分", "十分"],
        [None, "政治生态", "违纪不得分", -2],
        [None, "三会一课", "缺1次扣1分", 1.234],
        [None, "党费", "迟交扣1分", "=1+1"],
        ["组织建设（20分）", None, None, None],
        ["作风建设", "八项规定", None, 10],
    ]
    issues = fail(rows)
    assert at(find(issues, "“理论学习”缺少分值")) == ("Sheet1", 2, 4)
    assert at(find(issues, "分值“十分”不是有效的数字")) == ("Sheet1", 3, 4)
    assert at(find(issues, "分值不能为负数")) == ("Sheet1", 4, 4)
    assert at(find(issues, "分值最多保留两位小数")) == ("Sheet1", 5, 4)
    assert at(find(issues, FORMULA_MESSAGE)) == ("Sheet1", 6, 4)
    assert at(find(issues, "一级指标“组织建设”下没有考核项目")) == ("Sheet1", 7, 1)
    assert len(issues) == 6


def test_section_row_without_items():
    rows = [
        ["序号", "考核项目", "分值", "评分标准"],
        ["一、政治建设（20分）"],
        [1, "理论学习", 20, "…"],
        ["二、组织建设（30分）"],
    ]
    issues = fail(rows, ["A2:D2", "A4:D4"])
    assert [str(i) for i in issues] == ["工作表「Sheet1」第4行A列：一级指标“组织建设”下没有考核项目"]


def test_points_cell_merged_over_several_items():
    rows = [
        ["一级指标", "二级指标", "评分标准", "分值"],
        ["政治建设", "理论学习", "…", 20],
        [None, "意识形态", "…", None],
    ]
    issues = fail(rows, ["A2:A3", "D2:D3"])
    issue = find(issues, "“意识形态”的分值单元格与其他行合并")
    assert at(issue) == ("Sheet1", 3, 4)


def test_points_without_a_name():
    rows = [
        ["一级指标", "二级指标", "评分标准", "分值"],
        ["政治建设", "理论学习", "…", 10],
        [None, None, "…", 5],
    ]
    assert at(find(fail(rows), "该行有分值但缺少考核项目名称")) == ("Sheet1", 3, 2)


def test_empty_workbook_and_header_only():
    assert "工作簿中没有任何内容" in str(fail([]))
    issues = fail([["考核项目", "分值"]])
    assert [i.message for i in issues] == ["未读取到任何考核项目，请检查表头下方的内容"]
