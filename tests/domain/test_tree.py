"""Indicator trees: structure helpers and validation before publish."""

from decimal import Decimal as D

from scorecard.domain.tree import NodeSpec, applicable, applicable_leaves, leaves, top_level_of, validate_tree

CATS = ["机关", "社区"]


def node(code, name, points, parent=None, cats=(), rule="direct", params=None):
    return NodeSpec(code, name, D(points), parent, frozenset(cats), rule, params or {})


def scheme():
    """满分 100 = 1 (30) + 2 (70).

    1 (30) = 1.1 (20) + 1.2 (10 = 1.2.1 6 + 1.2.2 4)
    2 (70) = 2.1 机关 30 | 2.2 社区 30 (alternatives per category) + 2.3 40
    机关 leaves: 20 + 6 + 4 + 30 + 40 = 100 ; 社区 leaves: 20 + 6 + 4 + 30 + 40 = 100
    """
    return [
        node("1", "党的政治建设", "30", rule=None),
        node("1.1", "政治学习", "20", "1"),
        node("1.2", "理论学习中心组学习", "10", "1", rule=None),
        node("1.2.1", "集体学习", "6", "1.2", rule="count", params={"per": "2"}),
        node("1.2.2", "专题研讨", "4", "1.2", rule="grade"),
        node("2", "基层组织建设", "70", rule=None),
        node("2.1", "机关支部", "30", "2", cats={"机关"}),
        node("2.2", "社区网格", "30", "2", cats={"社区"}, rule="deduct", params={"per": "1"}),
        node("2.3", "党员队伍", "40", "2", rule="vote"),
    ]


def replace(nodes, code, **changes):
    out = []
    for n in nodes:
        if n.code == code:
            fields = dict(code=n.code, name=n.name, max_points=n.max_points, parent_code=n.parent_code,
                          categories=n.categories, rule_type=n.rule_type, params=n.params)
            fields.update(changes)
            n = NodeSpec(**fields)
        out.append(n)
    return out


def test_valid_scheme_has_no_errors():
    # 机关: 20 + 6 + 4 + 30 + 40 = 100 ; 社区: 20 + 6 + 4 + 30 + 40 = 100
    assert validate_tree(scheme(), D("100"), CATS, convert=False) == []


def test_leaves_and_top_levels():
    nodes = scheme()
    assert [n.code for n in leaves(nodes)] == ["1.1", "1.2.1", "1.2.2", "2.1", "2.2", "2.3"]
    assert top_level_of(nodes) == {"1.1": "1", "1.2.1": "1", "1.2.2": "1",
                                   "2.1": "2", "2.2": "2", "2.3": "2"}


def test_applicable_follows_ancestors():
    nodes = replace(scheme(), "1.2", categories=frozenset({"机关"}))
    leaf = next(n for n in nodes if n.code == "1.2.1")
    assert applicable(leaf, "社区")  # own categories only: empty = all
    assert not applicable(leaf, "社区", nodes)  # its parent 1.2 is 机关 only
    assert applicable(leaf, "机关", nodes)
    assert [n.code for n in applicable_leaves(nodes, "社区")] == ["1.1", "2.2", "2.3"]
    assert [n.code for n in applicable_leaves(nodes, "机关")] == ["1.1", "1.2.1", "1.2.2", "2.1", "2.3"]


def test_children_sum_mismatch():
    nodes = replace(scheme(), "1.2.1", max_points=D("5"))
    errors = validate_tree(nodes, D("100"), CATS, convert=True)
    # 1.2: 5 + 4 = 9 ≠ 10 (and 1: 20 + 10 = 30 still holds)
    assert errors == ["指标 1.2「理论学习中心组学习」：下级分值合计 9.00 ≠ 本级分值 10.00"]


def test_top_level_sum_mismatch():
    nodes = replace(scheme(), "2.3", max_points=D("35"))
    nodes = replace(nodes, "2", max_points=D("65"))
    errors = validate_tree(nodes, D("100"), CATS, convert=True)
    assert errors == ["一级指标分值合计 95.00 ≠ 满分 100.00"]


def test_duplicate_and_empty_codes():
    nodes = scheme() + [node("2.3", "重复", "1", "2"), node(" ", "无编码", "1", "2")]
    errors = validate_tree(nodes, D("100"), CATS, convert=False)
    assert "指标 2.3「重复」：编码重复" in errors
    assert "第11个指标「无编码」：编码不能为空" in errors
    # sums are not checked while the structure is broken
    assert not any("合计" in e for e in errors)


def test_missing_parent_and_cycle():
    nodes = scheme() + [node("9.1", "孤儿", "1", "9"), node("a", "甲", "1", "b"), node("b", "乙", "1", "a")]
    errors = validate_tree(nodes, D("100"), CATS, convert=False)
    assert "指标 9.1「孤儿」：上级指标 9 不存在" in errors
    assert "指标 a「甲」：上下级关系存在循环" in errors
    assert "指标 b「乙」：上下级关系存在循环" in errors


def test_points_must_be_positive_with_two_decimals():
    nodes = [node("1", "甲", "0"), node("2", "乙", "100.005"), NodeSpec("3", "丙", "x", None, frozenset(), "direct", {})]
    errors = validate_tree(nodes, D("100"), [], convert=False)
    assert errors == [
        "指标 1「甲」：分值必须大于0",
        "指标 2「乙」：分值最多保留两位小数",
        "指标 3「丙」：分值不是有效的数字：x",
    ]


def test_leaf_rules_are_validated():
    nodes = replace(scheme(), "1.2.1", params={})  # count without per
    nodes = replace(nodes, "1.1", rule_type=None)
    nodes = replace(nodes, "2.3", rule_type="percent")
    errors = validate_tree(nodes, D("100"), CATS, convert=False)
    assert errors == [
        "指标 1.1「政治学习」：末级指标的计分方式无效（未设置）",
        "指标 1.2.1「集体学习」：计次须设置每次得分（如：每次=2）",
        "指标 2.3「党员队伍」：末级指标的计分方式无效（percent）",
    ]


def test_category_without_full_marks_path():
    # 医疗 has neither 2.1 (机关) nor 2.2 (社区): under 2 only 2.3 applies, 40 of 70;
    # its leaves are 1.1 20 + 1.2.1 6 + 1.2.2 4 + 2.3 40 = 70 ≠ 100
    errors = validate_tree(scheme(), D("100"), CATS + ["医疗"], convert=False)
    assert errors == [
        "指标 2「基层组织建设」：类别「医疗」下级分值合计 40.00 ≠ 本级分值 70.00",
        "类别「医疗」适用指标分值合计 70.00 ≠ 满分 100.00（未启用折算时须等于满分）",
    ]
    # with conversion a partial path is fine
    assert validate_tree(scheme(), D("100"), CATS + ["医疗"], convert=True) == []


def test_category_with_no_leaf_at_all():
    nodes = [node("1", "甲", "60", cats={"机关"}), node("2", "乙", "40", cats={"机关"})]
    errors = validate_tree(nodes, D("100"), ["机关", "社区"], convert=True)
    assert errors == ["类别「社区」没有适用的末级指标"]


def test_unknown_category_and_child_outside_parent():
    nodes = replace(scheme(), "2", categories=frozenset({"机关", "社区"}))
    nodes = replace(nodes, "2.1", categories=frozenset({"医院"}))
    errors = validate_tree(nodes, D("100"), CATS, convert=True)
    assert "指标 2.1「机关支部」：适用类别「医院」不在方案类别中" in errors
    assert "指标 2.1「机关支部」：适用类别「医院」超出上级指标 2「基层组织建设」的适用类别" in errors


def test_full_marks_and_empty_scheme():
    assert validate_tree([], D("100"), [], convert=False) == ["方案中没有任何指标"]
    errors = validate_tree(scheme(), D("0"), CATS, convert=False)
    assert errors[0] == "满分必须大于0"


def test_node_spec_normalises_fields():
    n = NodeSpec("1", "甲", D("5"), "", ["机关"], None, None)
    assert n.parent_code is None and n.categories == frozenset({"机关"}) and n.params == {}


def test_per_category_sums_of_alternative_children():
    # 社区 gets a second alternative under 2: 2.2 30 + 2.4 10 + 2.3 40 = 80 > 70
    nodes = scheme() + [node("2.4", "网格员", "10", "2", cats={"社区"})]
    errors = validate_tree(nodes, D("100"), CATS, convert=True)
    assert errors == ["指标 2「基层组织建设」：类别「社区」下级分值合计 80.00 ≠ 本级分值 70.00"]


def test_conversion_allows_a_category_to_miss_indicators():
    # 2.1 is 机关-only and nothing replaces it for 社区: 社区 has 70 of 100
    nodes = [n for n in scheme() if n.code != "2.2"]
    assert validate_tree(nodes, D("100"), CATS, convert=True) == []
    errors = validate_tree(nodes, D("100"), CATS, convert=False)
    # 社区 under 2: only 2.3 40 of 70; 社区 leaves 20 + 6 + 4 + 40 = 70
    assert errors == [
        "指标 2「基层组织建设」：类别「社区」下级分值合计 40.00 ≠ 本级分值 70.00",
        "类别「社区」适用指标分值合计 70.00 ≠ 满分 100.00（未启用折算时须等于满分）",
    ]


def test_top_level_alternatives_per_category():
    nodes = [node("1", "共同", "60"), node("2", "机关特色", "40", cats={"机关"}),
             node("3", "社区特色", "40", cats={"社区"}), node("4", "社区加项", "10", cats={"社区"})]
    errors = validate_tree(nodes, D("100"), CATS, convert=False)
    assert errors == [
        "类别「社区」一级指标分值合计 110.00 ≠ 满分 100.00",
        "类别「社区」适用指标分值合计 110.00 ≠ 满分 100.00（未启用折算时须等于满分）",
    ]
