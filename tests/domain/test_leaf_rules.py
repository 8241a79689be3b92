"""Leaf scoring: worked examples (DESIGN §2 table), input validation,
the Excel points bridge and the explanations."""

from decimal import Decimal as D

import pytest

from scorecard.domain.rules import (
    LeafRule,
    RuleError,
    deductions_of,
    describe_input,
    input_from_points,
    leaf_score,
    parse_input,
)

DIRECT = LeafRule("direct", D("10"), {})
DEDUCT = LeafRule("deduct", D("5"), {})
DEDUCT_PER = LeafRule("deduct", D("5"), {"per": "2"})
DEDUCT_RANGE = LeafRule("deduct", D("10"), {"min": "1", "max": "3"})
COUNT = LeafRule("count", D("12"), {"per": "2"})  # 每次2分，全年累计不超过12分
GRADE = LeafRule("grade", D("5"), {})
RATIO = LeafRule("ratio", D("6"), {"target": "100"})
CHECK = LeafRule("check", D("4"), {})
VOTE = LeafRule("vote", D("10"), {})
VOTE5 = LeafRule("vote", D("5"), {})
TASKS = LeafRule("tasks", D("8"), {})


def ded(*items):
    return {"deductions": [{"points": p, "reason": r} for p, r in items]}


@pytest.mark.parametrize(
    "rule, inp, expected",
    [
        # direct: the value itself
        (DIRECT, {"value": "8.5"}, "8.50"),
        (DIRECT, {"value": 10}, "10.00"),
        # deduct: 5 − (2 + 1) = 2
        (DEDUCT, ded(("2", "未按期召开支委会"), ("1", "记录不全")), "2.00"),
        # 扣完为止: 5 − (3 + 4) = −2 → 0
        (DEDUCT, ded(("3", "a"), ("4", "b")), "0.00"),
        (DEDUCT, {"deductions": []}, "5.00"),
        # per occurrence: 2 times × 2 = 4 → 5 − 4 = 1
        (DEDUCT_PER, {"deductions": [{"times": "2", "reason": "缺席"}]}, "1.00"),
        # 3 times × 2 = 6 > 5 → 0
        (DEDUCT_PER, {"deductions": [{"times": 3, "reason": "缺席"}]}, "0.00"),
        # range 1-3: 10 − (3 + 1.5) = 5.5
        (DEDUCT_RANGE, ded(("3", "a"), ("1.5", "b")), "5.50"),
        # count: 3 × 2 = 6; 7 × 2 = 14 capped at 12; 0 × 2 = 0
        (COUNT, {"count": "3"}, "6.00"),
        (COUNT, {"count": "7"}, "12.00"),
        (COUNT, {"count": 0}, "0.00"),
        # grade: 5 × 0.8 = 4; 5 × 0.6 = 3
        (GRADE, {"level": "较好"}, "4.00"),
        (GRADE, {"level": " 一般 "}, "3.00"),
        (GRADE, {"level": "差"}, "0.00"),
        # ratio: 6 × 95/100 = 5.7; 6 × 120/100 = 7.2 capped at 6
        (RATIO, {"actual": "95"}, "5.70"),
        (RATIO, {"actual": "120", "target": "100"}, "6.00"),
        # own target: 6 × 2/3 = 4  (3.999… would be wrong)
        (RATIO, {"actual": "2", "target": "3"}, "4.00"),
        # 6 × 1/7 = 0.857142… → 0.86
        (RATIO, {"actual": "1", "target": "7"}, "0.86"),
        (CHECK, {"met": True}, "4.00"),
        (CHECK, {"met": "未达标"}, "0.00"),
        # vote 10/3/1 with 1/0.6/0: Σw·v = 10 + 1.8 + 0 = 11.8 of 14 votes
        # 10 × 11.8/14 = 8.428571… → 8.43 ; 5 × 11.8/14 = 4.214285… → 4.21
        (VOTE, {"votes": {"满意": "10", "基本满意": "3", "不满意": "1"}}, "8.43"),
        (VOTE5, {"votes": {"满意": 10, "基本满意": 3, "不满意": 1}}, "4.21"),
        # 1 基本满意 of 8 votes: 10 × 0.6/8 = 0.75 ; missing names count 0
        (VOTE, {"votes": {"基本满意": "1", "不满意": "7"}}, "0.75"),
        # tasks: 8 × 3/4 = 6 ; due 0 → full marks ; 8 × 1/3 = 2.666… → 2.67
        (TASKS, {"done": "3", "due": "4"}, "6.00"),
        (TASKS, {"done": "0", "due": "0"}, "8.00"),
        (TASKS, {"done": 1, "due": 3}, "2.67"),
        # the assessor judged the points directly (any type)
        (COUNT, {"points": "7.5"}, "7.50"),
        (GRADE, {"points": 0}, "0.00"),
    ],
)
def test_leaf_score_worked_examples(rule, inp, expected):
    result = leaf_score(rule, inp)
    assert isinstance(result, D)
    assert str(result) == expected


def test_leaf_score_rounds_half_up_once():
    rule = LeafRule("ratio", D("100"), {"target": "100"})
    # 100 × 95.545 / 100 = 95.545 exactly → 95.55 (round() would say 95.54)
    assert leaf_score(rule, {"actual": "95.545"}) == D("95.55")
    # 1 × 1 / 200 = 0.005 exactly → 0.01
    assert leaf_score(LeafRule("ratio", D("1"), {"target": "200"}), {"actual": "1"}) == D("0.01")
    # vote 3 × (0.6 × 5 + 0 × 3) / 8 = 1.125 exactly → 1.13 (rounded once, at the end)
    vote = LeafRule("vote", D("3"), {})
    assert leaf_score(vote, {"votes": {"基本满意": "5", "不满意": "3"}}) == D("1.13")


@pytest.mark.parametrize(
    "rule, inp, message, field",
    [
        (DIRECT, {"value": "12"}, "得分12超出满分10.00", "value"),
        (LeafRule("direct", D("5"), {}), {"value": "8.5"}, "得分8.5超出满分5.00", "value"),
        (DIRECT, {"value": "-1"}, "得分不能为负数：-1", "value"),
        (DIRECT, {"value": "8.555"}, "得分最多保留两位小数：8.555", "value"),
        (DIRECT, {"value": ""}, "请填写得分", "value"),
        (DIRECT, {"value": "八"}, "得分不是有效的数字：八", "value"),
        (DIRECT, ["8"], "录入内容格式不正确", None),
        (DEDUCT, {}, "请填写扣分明细（没有扣分时为空列表）", "deductions"),
        (DEDUCT, ded(("1", "a"), ("2", "  ")), "扣分原因不能为空（第2条）", "deductions.1.reason"),
        (DEDUCT, ded(("0", "a")), "扣分必须大于0（第1条）", "deductions.0.points"),
        (DEDUCT, ded(("-1", "a")), "扣分必须大于0（第1条）", "deductions.0.points"),
        (DEDUCT, {"deductions": [{"reason": "a"}]}, "请填写扣分（第1条）", "deductions.0.points"),
        (DEDUCT, {"deductions": ["a"]}, "扣分明细格式不正确（第1条）", "deductions.0"),
        (DEDUCT, {"deductions": [{"times": "1", "reason": "a"}]},
         "该项未设置每次扣分，请直接填写扣分分值（第1条）", "deductions.0.times"),
        (DEDUCT_PER, ded(("3", "a")), "扣分应为每次2分的整数倍（第1条）", "deductions.0.points"),
        (DEDUCT_PER, {"deductions": [{"times": "0", "reason": "a"}]},
         "扣分次数必须是正整数（第1条）", "deductions.0.times"),
        (DEDUCT_PER, {"deductions": [{"times": "1.5", "reason": "a"}]},
         "扣分次数（第1条）必须是非负整数", "deductions.0.times"),
        (DEDUCT_PER, {"deductions": [{"times": "2", "points": "2", "reason": "a"}]},
         "扣分与次数不符：2次×2分（第1条）", "deductions.0.points"),
        (DEDUCT_RANGE, ded(("1", "a"), ("4", "b")), "扣分应在1-3分之间（第2条）", "deductions.1.points"),
        (DEDUCT_RANGE, ded(("0.5", "a")), "扣分应在1-3分之间（第1条）", "deductions.0.points"),
        (COUNT, {"count": "-1"}, "计次必须是非负整数", "count"),
        (COUNT, {"count": "2.5"}, "计次必须是非负整数", "count"),
        (COUNT, {"count": True}, "计次必须是非负整数", "count"),
        (COUNT, {}, "请填写计次", "count"),
        (GRADE, {"level": "优"}, "档次「优」不在可选范围内（好、较好、一般、差）", "level"),
        (GRADE, {}, "请选择档次", "level"),
        (RATIO, {"actual": "-5"}, "实际值不能为负数：-5", "actual"),
        (RATIO, {"actual": "5", "target": "0"}, "目标值必须大于0：0", "target"),
        (RATIO, {}, "请填写实际值", "actual"),
        (CHECK, {"met": "也许"}, "达标情况应为「达标」或「未达标」：也许", "met"),
        (CHECK, {}, "请选择是否达标", "met"),
        (VOTE, {"votes": {"满意": "0", "不满意": "0"}}, "测评票数合计不能为0", "votes"),
        (VOTE, {"votes": {"很满意": "3"}}, "未知的测评选项「很满意」（可选：满意、基本满意、不满意）", "votes"),
        (VOTE, {"votes": {"满意": "-3"}}, "「满意」票数必须是非负整数", "votes.满意"),
        (VOTE, {"votes": "10,3,1"}, "请填写测评票数", "votes"),
        (TASKS, {"done": "5", "due": "4"}, "按期完成任务数5不能大于应完成任务数4", "done"),
        (TASKS, {"done": "1", "due": "x"}, "应完成任务数必须是非负整数", "due"),
        (COUNT, {"points": "12.5"}, "得分12.5超出满分12.00", "points"),
        (COUNT, {"points": "-0.5"}, "得分不能为负数：-0.5", "points"),
    ],
)
def test_parse_input_errors(rule, inp, message, field):
    with pytest.raises(RuleError) as err:
        parse_input(rule, inp)
    assert str(err.value) == message
    assert err.value.field == field
    with pytest.raises(RuleError):  # scoring validates too
        leaf_score(rule, inp)


@pytest.mark.parametrize(
    "rule, raw, normalised",
    [
        (DIRECT, {"value": D("8.50"), "comment": "x"}, {"value": "8.5"}),
        (DEDUCT, {"deductions": [{"points": "2.0", "reason": " 未按期召开 ", "id": 7}]},
         {"deductions": [{"points": "2", "reason": "未按期召开"}]}),
        (DEDUCT_PER, {"deductions": [{"times": "2", "reason": "缺席"}, {"points": "2", "reason": "迟到"}]},
         {"deductions": [{"times": "2", "points": "4", "reason": "缺席"},
                         {"times": "1", "points": "2", "reason": "迟到"}]}),
        (COUNT, {"count": "3.0"}, {"count": "3"}),
        (GRADE, {"level": "较好 "}, {"level": "较好"}),
        (RATIO, {"actual": "95.0"}, {"actual": "95", "target": "100"}),
        (CHECK, {"met": "达标"}, {"met": True}),
        (CHECK, {"met": "0"}, {"met": False}),
        (CHECK, {"met": 1}, {"met": True}),
        (VOTE, {"votes": {"满意": 10}}, {"votes": {"满意": "10", "基本满意": "0", "不满意": "0"}}),
        (TASKS, {"done": 3, "due": "4"}, {"done": "3", "due": "4"}),
        (GRADE, {"points": "4.50", "level": "好"}, {"points": "4.5"}),
    ],
)
def test_parse_input_normalises(rule, raw, normalised):
    assert parse_input(rule, raw) == normalised
    assert parse_input(rule, normalised) == normalised  # idempotent


# --- the Excel points bridge -------------------------------------------------

@pytest.mark.parametrize(
    "rule, points, reason, expected",
    [
        (DIRECT, "8.5", None, {"value": "8.5"}),
        (DEDUCT, "5", None, {"deductions": []}),
        (DEDUCT, "3.5", " 记录不全 ", {"deductions": [{"points": "1.5", "reason": "记录不全"}]}),
        (DEDUCT_PER, "1", "缺席", {"deductions": [{"times": "2", "points": "4", "reason": "缺席"}]}),
        # range 1-3: deducting 2 is one deduction; deducting 5 needs two (3 + 2)
        (DEDUCT_RANGE, "8", "a", {"deductions": [{"points": "2", "reason": "a"}]}),
        (DEDUCT_RANGE, "5", "a", {"deductions": [{"points": "3", "reason": "a"},
                                                 {"points": "2", "reason": "a"}]}),
        (COUNT, 7, None, {"points": "7"}),
        (VOTE, D("9.99"), "", {"points": "9.99"}),
    ],
)
def test_input_from_points(rule, points, reason, expected):
    inp = input_from_points(rule, points, reason)
    assert inp == expected
    assert leaf_score(rule, inp) == D(str(points)).quantize(D("0.01"))


@pytest.mark.parametrize(
    "rule, points, reason, message",
    [
        (DEDUCT, "4", None, "扣分项低于满分时须填写扣分原因"),
        (DEDUCT, "4", "  ", "扣分项低于满分时须填写扣分原因"),
        (DEDUCT, "6", "x", "得分6超出满分5.00"),
        (DIRECT, "-1", None, "得分不能为负数：-1"),
        (DEDUCT_PER, "2", "x", "扣分3应为每次2分的整数倍"),
        (DEDUCT_RANGE, "9.5", "x", "扣分0.5不符合扣分标准（每次扣1-3分）"),
        (COUNT, "", None, "请填写得分"),
    ],
)
def test_input_from_points_errors(rule, points, reason, message):
    with pytest.raises(RuleError) as err:
        input_from_points(rule, points, reason)
    assert str(err.value) == message


def test_points_input_for_deduct_becomes_deductions():
    assert parse_input(DEDUCT, {"points": "4", "reason": "迟到"}) == ded(("1", "迟到"))
    with pytest.raises(RuleError, match="扣分项低于满分时须填写扣分原因"):
        parse_input(DEDUCT, {"points": "4"})


# --- explanations --------------------------------------------------------------

@pytest.mark.parametrize(
    "rule, inp, text",
    [
        (DEDUCT, ded(("2", "未按期召开支委会"), ("1", "记录不全")),
         "扣2.00分：未按期召开支委会；扣1.00分：记录不全"),
        (DEDUCT, {"deductions": []}, "无扣分"),
        (DEDUCT_PER, {"deductions": [{"times": "2", "reason": "缺席"}]}, "扣4.00分（2次×2分）：缺席"),
        (COUNT, {"count": "3"}, "计3次×2分"),
        (COUNT, {"count": "7"}, "计7次×2分（累计不超过12.00分）"),
        (GRADE, {"level": "较好"}, "档次：较好（80%）"),
        (RATIO, {"actual": "95"}, "实际95/目标100"),
        (CHECK, {"met": True}, "达标"),
        (CHECK, {"met": "否"}, "未达标"),
        (VOTE, {"votes": {"满意": "10", "基本满意": "3", "不满意": "1"}}, "满意10、基本满意3、不满意1"),
        (TASKS, {"done": "3", "due": "4"}, "按期完成3/应完成4"),
        (DIRECT, {"value": "8"}, "直接打分"),
        (GRADE, {"points": "4.5"}, "直接评定4.50分"),
    ],
)
def test_describe_input(rule, inp, text):
    assert describe_input(rule, inp) == text


def test_deductions_of():
    inp = {"deductions": [{"times": "2", "reason": "缺席"}, {"points": "2", "reason": "迟到"}]}
    assert deductions_of(DEDUCT_PER, inp) == [(D("4"), "缺席"), (D("2"), "迟到")]
    assert deductions_of(DEDUCT, {"deductions": []}) == []
    assert deductions_of(COUNT, {"count": "3"}) == []
