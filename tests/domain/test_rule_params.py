"""Rule types, parameters and their compact text form."""

from decimal import Decimal as D

import pytest

from scorecard.domain.rules import (
    RULE_LABELS,
    RULE_TYPES,
    LeafRule,
    RuleError,
    default_params,
    format_params_text,
    normalise_params,
    parse_params_text,
    rule_type_from_label,
    validate_params,
)

DEFAULT_LEVELS = [["好", "1"], ["较好", "0.8"], ["一般", "0.6"], ["差", "0"]]
DEFAULT_WEIGHTS = [["满意", "1"], ["基本满意", "0.6"], ["不满意", "0"]]


def test_types_and_labels():
    assert RULE_TYPES == ("direct", "deduct", "count", "grade", "ratio", "check", "vote", "tasks")
    assert list(RULE_LABELS) == list(RULE_TYPES)
    assert RULE_LABELS["tasks"] == "照单考责"


@pytest.mark.parametrize(
    "text, expected",
    [("deduct", "deduct"), ("扣分", "deduct"), (" 测评 ", "vote"), ("照单考责", "tasks"),
     ("Direct", "direct"), ("定量", "ratio")],
)
def test_rule_type_from_label(text, expected):
    assert rule_type_from_label(text) == expected


@pytest.mark.parametrize("text", ["", "打分", "percent", None])
def test_rule_type_from_label_rejects(text):
    with pytest.raises(RuleError, match="未知的计分方式"):
        rule_type_from_label(text)


def test_default_params():
    assert default_params("grade") == {"levels": DEFAULT_LEVELS}
    assert default_params("vote") == {"weights": DEFAULT_WEIGHTS}
    assert default_params("ratio") == {"target": "100"}
    assert default_params("direct") == {}
    assert default_params("count") == {}  # no default: per-occurrence points are required
    # a fresh copy every time
    default_params("grade")["levels"].append(["x", "0"])
    assert len(default_params("grade")["levels"]) == 4
    with pytest.raises(RuleError):
        default_params("bogus")


@pytest.mark.parametrize(
    "rule_type, params",
    [
        ("direct", {}), ("check", {}), ("tasks", None),
        ("deduct", {}), ("deduct", {"per": "2"}), ("deduct", {"min": "1", "max": "3"}),
        ("deduct", {"min": "0", "max": "3"}), ("deduct", {"per": D("0.5")}),
        ("count", {"per": "2"}), ("count", {"per": "20"}),  # per above the leaf max: allowed
        ("grade", {}), ("grade", {"levels": [["优", "1"], ["差", "0"]]}),
        ("grade", {"levels": {"优": "1", "良": "0.85"}}),
        ("ratio", {"target": "95.5"}),
        ("vote", {}), ("vote", {"weights": [["满意", 1], ["不满意", 0]]}),
    ],
)
def test_validate_params_ok(rule_type, params):
    assert validate_params(rule_type, D("10"), params) == []


@pytest.mark.parametrize(
    "rule_type, params, message",
    [
        ("bogus", {}, "未知的计分方式：bogus"),
        ("count", {}, "计次须设置每次得分（如：每次=2）"),
        ("count", {"per": "0"}, "每次得分必须大于0：0"),
        ("count", {"per": "-2"}, "每次得分必须大于0：-2"),
        ("count", {"per": "abc"}, "每次得分不是有效的数字：abc"),
        ("count", {"per": "0.125"}, "每次得分最多保留两位小数：0.125"),
        ("deduct", {"per": "0"}, "每次扣分必须大于0：0"),
        ("deduct", {"min": "3", "max": "1"}, "扣分范围下限3大于上限1"),
        ("deduct", {"min": "1"}, "扣分范围须同时设置下限和上限"),
        ("deduct", {"per": "1", "min": "1", "max": "3"}, "扣分规则不能同时设置每次扣分和扣分范围"),
        ("ratio", {}, "定量须设置目标值（如：目标=100）"),
        ("ratio", {"target": "0"}, "目标值必须大于0：0"),
        ("grade", {"levels": [["好", "1"]]}, "档次至少需要2项"),
        ("grade", {"levels": [["好", "1"], ["好", "0.5"]]}, "档次名称重复：好"),
        ("grade", {"levels": [["好", "1.2"], ["差", "0"]]}, "档次「好」的比例1.2应在0到1之间（即0%到100%）"),
        ("grade", {"levels": [["好", "1"], ["", "0"]]}, "档次名称不能为空"),
        ("grade", {"levels": [["好=优", "1"], ["差", "0"]]}, "档次名称「好=优」不能包含 = , ; 、 : 等符号"),
        ("grade", {"levels": "好,差"}, "档次设置格式不正确"),
        ("vote", {"weights": [["满意", "1"], ["不满意", "-0.5"]]}, "测评选项「不满意」的权重必须不小于0：-0.5"),
        ("direct", {"per": "2"}, "「直接打分」不支持参数：per"),
    ],
)
def test_validate_params_errors(rule_type, params, message):
    assert message in validate_params(rule_type, D("10"), params)


def test_leaf_rule_normalises_and_validates():
    a = LeafRule("count", 12, {"per": 2})
    b = LeafRule("count", D("12.00"), {"per": "2.0"})
    assert a == b and hash(a) == hash(b)
    assert a.max_points == D("12") and a.params == {"per": "2"}
    assert LeafRule("grade", D("5"), {}).params == {"levels": DEFAULT_LEVELS}
    with pytest.raises(RuleError, match="计次须设置每次得分"):
        LeafRule("count", D("12"), {})
    with pytest.raises(RuleError, match="满分必须大于0"):
        LeafRule("direct", D("0"), {})
    with pytest.raises(RuleError, match="满分必须大于0且最多两位小数：1.005"):
        LeafRule("direct", D("1.005"), {})
    with pytest.raises(RuleError, match="未知的计分方式"):
        LeafRule("percent", D("5"), {})


# --- compact text -----------------------------------------------------------

@pytest.mark.parametrize(
    "rule_type, text, expected",
    [
        ("deduct", "", {}),
        ("deduct", "每次=2", {"per": "2"}),
        ("deduct", "范围=1-3", {"min": "1", "max": "3"}),
        ("deduct", " 范围 ＝ 0.5～2 ", {"min": "0.5", "max": "2"}),
        ("deduct", "范围=１至３", {"min": "1", "max": "3"}),
        ("count", "每次=2", {"per": "2"}),
        ("count", "每次：0.50", {"per": "0.5"}),
        ("ratio", "", {"target": "100"}),
        ("ratio", "目标=95", {"target": "95"}),
        ("grade", "", {"levels": DEFAULT_LEVELS}),
        ("grade", "好=100%,较好=80%,一般=60%,差=0%", {"levels": DEFAULT_LEVELS}),
        ("grade", "好=1，较好=0.8；一般＝60%;差=0", {"levels": DEFAULT_LEVELS}),
        ("grade", "优秀=100%\n合格=85.5%\n不合格=0％",
         {"levels": [["优秀", "1"], ["合格", "0.855"], ["不合格", "0"]]}),
        ("档次", "好=100%,差=0%", {"levels": [["好", "1"], ["差", "0"]]}),
        ("vote", "满意=1,基本满意=0.6,不满意=0", {"weights": DEFAULT_WEIGHTS}),
        ("vote", "", {"weights": DEFAULT_WEIGHTS}),
        ("direct", "", {}), ("check", "  ", {}), ("tasks", None, {}),
    ],
)
def test_parse_params_text(rule_type, text, expected):
    assert parse_params_text(rule_type, text) == expected


@pytest.mark.parametrize(
    "rule_type, params, text",
    [
        ("deduct", {}, ""),
        ("deduct", {"per": D("2.00")}, "每次=2"),
        ("deduct", {"min": 1, "max": "3"}, "范围=1-3"),
        ("count", {"per": "2"}, "每次=2"),
        ("ratio", {"target": "100"}, "目标=100"),
        ("grade", {}, "好=100%,较好=80%,一般=60%,差=0%"),
        ("grade", {"levels": [["优", "1"], ["良", "0.855"]]}, "优=100%,良=85.5%"),
        ("vote", {}, "满意=1,基本满意=0.6,不满意=0"),
        ("direct", {}, ""), ("check", {}, ""), ("tasks", {}, ""),
    ],
)
def test_format_params_text_round_trip(rule_type, params, text):
    assert format_params_text(rule_type, params) == text
    assert parse_params_text(rule_type, text) == normalise_params(rule_type, params)


@pytest.mark.parametrize(
    "rule_type, text, message",
    [
        ("count", "", "计次须设置每次得分"),
        ("count", "每次=0", "每次得分必须大于0"),
        ("count", "次数=2", "计次参数有误：不认识的参数 「次数」，格式应为「每次=2」"),
        ("count", "每次2分", "计次参数有误：无法识别「每次2分」"),
        ("count", "每次=2,每次=3", "不认识的参数"),
        ("deduct", "范围=3", "扣分范围「3」应写成「1-3」"),
        ("deduct", "范围=3-1", "扣分范围下限3大于上限1"),
        ("deduct", "每次=x", "每次扣分不是有效的数字：x"),
        ("ratio", "目标=-5", "目标值必须大于0"),
        ("grade", "好=100,差=0", "「好=100」应写成0到1的小数或百分数（如80%）"),
        ("grade", "好=120%,差=0%", "档次「好」的比例1.2应在0到1之间"),
        ("grade", "好=100%", "档次至少需要2项"),
        ("grade", "好=100%,好=50%", "档次名称重复：好"),
        ("grade", "好=优,差=0", "「好」的值「优」不是有效的数字"),
        ("vote", "满意=1,=0.5", "无法识别「=0.5」"),
        ("direct", "每次=2", "「直接打分」无需设置参数，请留空"),
        ("打分", "", "未知的计分方式"),
    ],
)
def test_parse_params_text_errors(rule_type, text, message):
    with pytest.raises(RuleError) as err:
        parse_params_text(rule_type, text)
    assert message in str(err.value)


def test_format_params_text_rejects_invalid_params():
    with pytest.raises(RuleError, match="每次得分必须大于0"):
        format_params_text("count", {"per": "0"})
