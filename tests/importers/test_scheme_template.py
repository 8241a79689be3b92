"""The project's own scheme template: sheets 指标, 加减分项, 等次, 设置."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from scorecard.importers.common import FORMULA_MESSAGE, ImportFailed
from scorecard.importers.scheme import ParsedItem, ParsedTier, parse_scheme

from .builders import at, find, xlsx

IND_HEADER = ["编码", "上级编码", "名称", "分值", "考核内容", "评分标准", "考核方式", "适用类别",
              "计分类型", "计分参数", "佐证提示"]

INDICATORS = [
    IND_HEADER,
    ["2", None, "组织建设", 60, None, None, None, None, "扣分", "每次=9", None],
    ["1", None, "政治建设", 40, "把政治建设摆在首位", None, None, None, None, None, None],
    ["1.1", "1", "理论学习", 20, "中心组学习", "少1次扣2分\n扣完为止", "日常考核、实地核验", "党政机关，事业单位",
     "扣分", "每次=2", "学习记录"],
    ["1.2", "1", "群众满意度", 20, None, None, "群众满意度测评", None, "vote", None, None],
    ["2.1", "2", "三会一课", 30, None, None, "日常考核 / 述职评议", None, "计次", "每次=3", None],
    ["2.2", "2", "支部达标", 20.5, None, None, None, "国有企业;医疗卫生", "达标", None, None],
    ["2.3", "2", "整改", 9.5, None, None, None, None, "定量", "目标=100", None],
]
ITEMS = [
    ["编码", "名称", "类型", "每项分值", "单项上限"],
    ["J1", "绩优推报", "加分", 1, 3],
    ["K1", "被通报批评", "减分", 2, None],
    ["J2", "创新案例", "加分项", None, None],
]
TIERS = [
    ["等次", "最低分", "名额比例(%)"],
    ["较好", 80, None],
    ["好", 90, 20],
    ["一般", 60, "30%"],
    ["差", 0, None],
]
SETTINGS = [
    ["项目", "值"],
    ["方案名称", "2025年度州直机关党建考核方案"],
    ["满分", 100],
    ["加分上限", 5],
    ["折算", "是"],
    ["一票否决封顶等次", "一般"],
    ["并列排序依据", "1、2"],
]


def test_full_template():
    scheme = parse_scheme(xlsx({"指标": INDICATORS, "加减分项": ITEMS, "等次": TIERS, "设置": SETTINGS}))
    assert scheme.layout == "template"
    assert scheme.title == "2025年度州直机关党建考核方案"
    # parents before children: roots in file order, each followed by its subtree
    assert [(i.code, i.parent_code, i.max_points) for i in scheme.indicators] == [
        ("2", None, D(60)), ("2.1", "2", D(30)), ("2.2", "2", D("20.5")), ("2.3", "2", D("9.5")),
        ("1", None, D(40)), ("1.1", "1", D(20)), ("1.2", "1", D(20)),
    ]
    ind = {i.code: i for i in scheme.indicators}
    assert ind["1.1"].rule_type == "deduct" and ind["1.1"].params == {"per": "2"}
    assert ind["1.1"].rule_text == "少1次扣2分\n扣完为止"
    assert ind["1.1"].methods == ["日常考核", "实地核验"]
    assert ind["1.1"].categories == ["党政机关", "事业单位"]
    assert ind["1.1"].evidence_hint == "学习记录"
    assert ind["1.1"].row == 4
    assert ind["1.2"].rule_type == "vote" and ind["1.2"].params["weights"]
    assert ind["2.1"].rule_type == "count" and ind["2.1"].params == {"per": "3"}
    assert ind["2.1"].methods == ["日常考核", "述职评议"]
    assert ind["2.2"].rule_type == "check" and ind["2.2"].categories == ["国有企业", "医疗卫生"]
    assert ind["2.3"].rule_type == "ratio" and ind["2.3"].params == {"target": "100"}
    # non-leaves: rule type and params are ignored
    assert (ind["2"].rule_type, ind["2"].params) == ("", {})
    assert ind["1"].content == "把政治建设摆在首位"
    assert scheme.items == [
        ParsedItem(2, "J1", "绩优推报", "bonus", D(1), D(3)),
        ParsedItem(3, "K1", "被通报批评", "penalty", D(2), None),
        ParsedItem(4, "J2", "创新案例", "bonus", None, None),
    ]
    assert scheme.tiers == [
        ParsedTier("好", D(90), D(20)), ParsedTier("较好", D(80), None),
        ParsedTier("一般", D(60), D(30)), ParsedTier("差", D(0), None),
    ]
    assert scheme.settings == {"full_marks": D(100), "bonus_cap": D(5), "convert": True,
                               "veto_cap": "一般", "tie_break": ["1", "2"]}


def test_minimal_template_defaults():
    rows = [["某方案指标"], ["编码", "名称", "分值"], ["A", "政治建设", 100]]
    scheme = parse_scheme(xlsx({"指标": rows}))
    assert scheme.title is None and scheme.items == [] and scheme.settings == {}
    assert [(t.name, t.threshold, t.quota_pct) for t in scheme.tiers] == [
        ("好", D(90), None), ("较好", D(80), None), ("一般", D(60), None), ("差", D(0), None)]
    (leaf,) = scheme.indicators
    assert (leaf.code, leaf.parent_code, leaf.rule_type, leaf.params, leaf.methods) == ("A", None, "direct", {}, [])


def test_percent_formatted_quota_and_bool_convert():
    tiers = [["等次", "最低分", "名额比例(%)"], ["好", 90, 0.2], ["差", 0, None]]
    settings = [["项目", "值"], ["折算", False]]
    scheme = parse_scheme(xlsx({"指标": [["编码", "名称", "分值"], ["A", "甲", 100]], "等次": tiers,
                                "设置": settings}, formats={"等次": {"C2": "0%"}}))
    assert scheme.tiers[0].quota_pct == D(20)
    assert scheme.settings == {"convert": False}


def test_indicator_sheet_without_template_header_falls_back_to_rulebook():
    rows = [["一级指标", "二级指标", "分值"], ["政治建设", "理论学习", 10]]
    scheme = parse_scheme(xlsx({"指标": rows}))
    assert scheme.layout == "rulebook"
    assert [i.code for i in scheme.indicators] == ["1", "1.1"]


def fail(sheets, **kw):
    with pytest.raises(ImportFailed) as excinfo:
        parse_scheme(xlsx(sheets, **kw))
    return excinfo.value.issues


def test_indicator_errors():
    rows = [
        IND_HEADER,
        ["1", None, "政治建设", 40],
        ["1", None, "重复", 10],
        ["1.1", "9", "上级不存在", 10],
        ["1.2", "1", "分值不是数", "十分"],
        ["1.3", "1", "负分", -1],
        ["1.4", "1", None, 5],
        [None, "1", "没有编码", 5],
        ["1.5", "1", "类型", 5, None, None, None, None, "乱写"],
        ["1.6", "1", "参数", 5, None, None, None, None, "计次", None],
        ["1.7", "1", "参数2", 5, None, None, None, None, "档次", "好=二成"],
        ["1.8", "1.8", "自己", 5],
        ["1.9", "1", "公式", "=2+3"],
        ["1.10", "1", "小数", 1.255],
        ["1.11", "1", "缺分值", None],
    ]
    issues = fail({"指标": rows})
    assert at(find(issues, "指标编码重复（与第2行相同）")) == ("指标", 3, 1)
    assert at(find(issues, "上级编码“9”不存在")) == ("指标", 4, 2)
    assert at(find(issues, "分值“十分”不是有效的数字")) == ("指标", 5, 4)
    assert at(find(issues, "分值不能为负数")) == ("指标", 6, 4)
    assert at(find(issues, "名称不能为空")) == ("指标", 7, 3)
    assert at(find(issues, "编码不能为空")) == ("指标", 8, 1)
    assert at(find(issues, "未知的计分方式：乱写")) == ("指标", 9, 9)
    assert at(find(issues, "计次须设置每次得分")) == ("指标", 10, 10)
    assert at(find(issues, "档次参数有误")) == ("指标", 11, 10)
    assert at(find(issues, "上级编码“1.8”不能是本指标自身")) == ("指标", 12, 2)
    assert at(find(issues, FORMULA_MESSAGE)) == ("指标", 13, 4)
    assert at(find(issues, "分值最多保留两位小数")) == ("指标", 14, 4)
    assert at(find(issues, "分值不能为空")) == ("指标", 15, 4)
    assert len(issues) == 13


def test_indicator_cycle():
    rows = [IND_HEADER, ["A", "B", "甲", 1], ["B", "A", "乙", 1]]
    issues = fail({"指标": rows})
    assert [str(i) for i in issues] == ["工作表「指标」第2行B列：上级编码形成循环：A → B → A"]


def test_items_tiers_settings_errors():
    items = [
        ["编码", "名称", "类型", "每项分值", "单项上限"],
        ["J1", "绩优", "奖励", 1, None],
        ["J1", "重复", "加分", 1, None],
        ["J2", None, "加分", "一分", None],
        ["J3", "上限", "加分", 2, 1],
        ["J4", "缺类型", None, 1, None],
    ]
    tiers = [["等次", "最低分"], ["好", 90], ["好", 85], ["较好", 90], ["差", None]]
    settings = [
        ["项目", "值"],
        ["满分", "一百"],
        ["折算", "也许"],
        ["一票否决封顶等次", "优秀"],
        ["并列排序依据", "1、X9"],
        ["满分", 100],
        ["颜色", "红"],
    ]
    issues = fail({"指标": [["编码", "名称", "分值"], ["1", "甲", 100]], "加减分项": items, "等次": tiers,
                   "设置": settings})
    assert at(find(issues, "类型“奖励”应填写“加分”或“减分”")) == ("加减分项", 2, 3)
    assert at(find(issues, "加减分项编码重复（与第2行相同）")) == ("加减分项", 3, 1)
    assert at(find(issues, "每项分值“一分”不是有效的数字")) == ("加减分项", 4, 4)
    assert at(find(issues, "名称不能为空")) == ("加减分项", 4, 2)
    assert at(find(issues, "单项上限1小于每项分值2")) == ("加减分项", 5, 5)
    assert at(find(issues, "类型不能为空，应填写")) == ("加减分项", 6, 3)
    assert at(find(issues, "等次“好”重复（与第2行相同）")) == ("等次", 3, 1)
    assert at(find(issues, "最低分90与第2行相同")) == ("等次", 4, 2)
    assert at(find(issues, "最低分不能为空")) == ("等次", 5, 2)
    assert at(find(issues, "满分“一百”不是有效的数字")) == ("设置", 2, 2)
    assert at(find(issues, "折算应填写“是”或“否”（当前“也许”）")) == ("设置", 3, 2)
    assert at(find(issues, "一票否决封顶等次“优秀”不在等次表中")) == ("设置", 4, 2)
    assert at(find(issues, "并列排序依据中的编码“X9”不是指标编码")) == ("设置", 5, 2)
    assert at(find(issues, "设置项“满分”重复（与第2行相同）")) == ("设置", 6, 1)
    assert at(find(issues, "未知的设置项“颜色”")) == ("设置", 7, 1)
    assert len(issues) == 15


def test_optional_sheets_with_wrong_headers():
    issues = fail({"指标": [["编码", "名称", "分值"], ["1", "甲", 100]],
                   "加减分项": [["代号", "名目"], ["x", "y"]], "等次": [["名称", "分数"], ["好", 90]]})
    assert [str(i) for i in issues] == [
        "工作表「加减分项」：未找到表头：需要包含“编码”“名称”“类型”列",
        "工作表「等次」：未找到表头：需要包含“等次”和“最低分”列",
    ]


def test_empty_indicator_sheet():
    issues = fail({"指标": [["编码", "名称", "分值"]]})
    assert [i.message for i in issues] == ["指标表中没有任何指标，请在表头下方逐行填写"]
