"""Aggregation of a round: leaf finals, bonus, conversion, totals, ranks, tiers."""

from decimal import Decimal as D

import pytest

from scorecard.domain.scoring import (
    SchemeSpec,
    TargetInput,
    bonus_total,
    cap_note,
    compute_round,
    leaf_final,
    penalty_total,
    rank_competition,
)
from scorecard.domain.tiers import TierSpec, default_tiers


def ds(*values):
    return [D(v) for v in values]


@pytest.mark.parametrize(
    "values, trimmed, expected",
    [
        ([], False, None),
        ([], True, None),
        (ds("8"), False, "8.00"),
        # (8 + 9 + 10) / 3 = 9
        (ds("8", "9", "10"), False, "9.00"),
        # 5 assessors, trimmed: drop 2 and 10 → (7 + 8 + 9) / 3 = 8
        (ds("10", "7", "2", "8", "9"), True, "8.00"),
        # the same 5 untrimmed: 36 / 5 = 7.2
        (ds("10", "7", "2", "8", "9"), False, "7.20"),
        # 4 assessors are never trimmed: (10 + 7 + 2 + 8) / 4 = 6.75
        (ds("10", "7", "2", "8"), True, "6.75"),
        # 2/3 = 0.666… → 0.67
        (ds("0", "1", "1"), False, "0.67"),
        # 95.54 + 95.55 = 191.09 / 2 = 95.545 exactly → half up 95.55
        (ds("95.54", "95.55"), False, "95.55"),
        # 6 values trimmed: drop one 1 and one 9 → (1 + 5 + 5 + 9) / 4 = 5
        (ds("1", "1", "5", "5", "9", "9"), True, "5.00"),
    ],
)
def test_leaf_final(values, trimmed, expected):
    result = leaf_final(values, trimmed)
    assert (None if result is None else str(result)) == expected


@pytest.mark.parametrize(
    "items, cap, expected",
    [
        ([], None, "0.00"),
        # item caps: min(3, 2) + min(1, None) = 3
        ([(D("3"), D("2")), (D("1"), None)], None, "3.00"),
        # scheme cap: min(2 + 1.5 + 4, 5) = 5
        ([(D("2"), None), (D("1.5"), D("2")), (D("4"), D("4"))], D("5"), "5.00"),
        # under the scheme cap: 1 + 0.5 = 1.5
        ([(D("1"), D("3")), (D("0.5"), None)], D("5"), "1.50"),
    ],
)
def test_bonus_total(items, cap, expected):
    assert str(bonus_total(items, cap)) == expected


@pytest.mark.parametrize(
    "items, expected",
    [
        ([], "0.00"),
        # 单项上限3, entered five times at 1 point: min(5, 3) = 3 (not 5)
        ([(D("5"), D("3"))], "3.00"),
        # under the cap it counts in full: min(2, 3) = 2
        ([(D("2"), D("3"))], "2.00"),
        # no cap: Σ as entered; caps hold per item: min(4, 3) + 2.5 + min(1, 2) = 6.5
        ([(D("4"), D("3")), (D("2.5"), None), (D("1"), D("2"))], "6.50"),
    ],
)
def test_penalty_total(items, expected):
    assert str(penalty_total(items)) == expected


def test_penalty_total_rejects_negative_points():
    with pytest.raises(ValueError, match="减分不能为负数"):
        penalty_total([(D("-1"), None)])


@pytest.mark.parametrize(
    "points, cap, expected",
    [
        (D("5"), D("3"), "减分项“违规”累计5分，按单项上限3分计"),
        (D("3"), D("3"), None),
        (D("9"), None, None),
    ],
)
def test_cap_note(points, cap, expected):
    assert cap_note("减分", "违规", points, cap) == expected


def test_bonus_total_rejects_negative_points():
    with pytest.raises(ValueError, match="加分不能为负数"):
        bonus_total([(D("-1"), None)], None)


@pytest.mark.parametrize(
    "values, expected",
    [
        ([], []),
        ([(D("90"),)], [1]),
        ([(D("90"),), (D("85"),), (D("85"),), (D("80"),)], [1, 2, 2, 4]),
        ([(D("80"),), (D("85"),), (D("90"),), (D("85"),)], [4, 2, 1, 2]),
        ([(D("70"),), (D("70"),), (D("70"),)], [1, 1, 1]),
        # tie-break on the second element: (85, 30) beats (85, 25)
        ([(D("85"), D("25")), (D("85"), D("30")), (D("90"), D("0"))], [3, 2, 1]),
        ([(D("85.0"),), (D("85.00"),)], [1, 1]),  # equal Decimals with different exponents
    ],
)
def test_rank_competition(values, expected):
    assert rank_competition(values) == expected


# --- compute_round -------------------------------------------------------------

TIERS = default_tiers()  # 好 ≥ 90, 较好 ≥ 80, 一般 ≥ 60, 差


def spec(**changes):
    """Two first levels: A (a1 40, a2 20) and B (b1 30 机关 only, b2 10). 满分 100."""
    base = dict(
        full_marks=D("100"), convert=False, bonus_cap=None,
        leaves=[("a1", D("40"), "A"), ("a2", D("20"), "A"), ("b1", D("30"), "B"), ("b2", D("10"), "B")],
        applicable={"机关": frozenset({"a1", "a2", "b1", "b2"}), "社区": frozenset({"a1", "a2", "b2"})},
        top_codes=["A", "B"], tiers=TIERS, veto_cap=None, tie_break=[],
    )
    base.update(changes)
    return SchemeSpec(**base)


def target(key, a1=None, a2=None, b1=None, b2=None, category="机关", **kw):
    scores = {"a1": a1, "a2": a2, "b1": b1, "b2": b2}
    return TargetInput(key, category, {k: None if v is None else D(v) for k, v in scores.items()}, **kw)


def by_key(results):
    return {r.key: r for r in results}


def test_base_subtotals_and_missing():
    (r,) = compute_round(spec(), [target("t", a1="35", a2="18.5", b1="25")])
    # A = 35 + 18.5 = 53.5 ; B = 25 + (b2 not scored → 0) = 25 ; base 78.5
    assert r.subtotals == {"A": D("53.50"), "B": D("25.00")}
    assert (r.base_raw, r.applicable_full, r.base, r.total) == (D("78.5"), D("100"), D("78.5"), D("78.5"))
    assert r.missing == 1
    assert (r.rank, r.tier, r.computed_tier) == (1, "一般", "一般")


def test_conversion():
    # 社区 applies a1 40 + a2 20 + b2 10 = 70 (not 90 — see the 90 case below)
    (r,) = compute_round(spec(convert=True), [target("t", "35", "15", None, "9", category="社区")])
    # 59 of 70 → 59 × 100 / 70 = 84.2857… → 84.29
    assert (r.base_raw, r.applicable_full, r.base) == (D("59"), D("70"), D("84.29"))
    assert r.missing == 0


def test_conversion_85_of_90():
    s = spec(convert=True, applicable={"社区": frozenset({"a1", "a2", "b1"})},
             leaves=[("a1", D("40"), "A"), ("a2", D("20"), "A"), ("b1", D("30"), "B"), ("b2", D("10"), "B")])
    (r,) = compute_round(s, [target("t", "40", "20", "25", category="社区")])
    # base 85 of applicable 90 → 85 × 100 / 90 = 94.444… → 94.44
    assert (r.base_raw, r.applicable_full, r.base, r.total) == (D("85"), D("90"), D("94.44"), D("94.44"))


def test_no_conversion_keeps_raw_base():
    (r,) = compute_round(spec(convert=False), [target("t", "35", "15", None, "9", category="社区")])
    assert (r.base, r.applicable_full) == (D("59"), D("70"))


def test_total_with_bonus_and_penalty():
    (r,) = compute_round(spec(bonus_cap=D("3")), [
        target("t", "38", "19", "28", "9", bonus=D("5"), penalty=D("1.5"))])
    # base 94 + min(5, cap 3) − 1.5 = 95.5 ; totals may exceed 满分 with bonus
    assert (r.base, r.bonus, r.penalty, r.total) == (D("94"), D("3"), D("1.5"), D("95.50"))
    assert r.tier == "好"


def test_ranks_within_category_and_order():
    results = compute_round(spec(), [
        target("c", "30", "20", "20", "10"),  # 80
        target("s1", "30", "20", None, "10", category="社区"),  # 60
        target("a", "40", "20", "30", "10"),  # 100
        target("b", "30", "20", "20", "10"),  # 80
        target("d", "30", "10", "20", "10"),  # 70
    ])
    assert [(r.key, r.rank) for r in results] == [("a", 1), ("b", 2), ("c", 2), ("d", 4), ("s1", 1)]
    assert [r.category for r in results] == ["机关"] * 4 + ["社区"]


def test_tie_break_by_first_level_subtotal():
    targets = [
        target("x", "30", "20", "25", "10"),  # A 50, B 35 → 85
        target("y", "40", "20", "15", "10"),  # A 60, B 25 → 85
        target("z", "40", "15", "20", "10"),  # A 55, B 30 → 85
    ]
    r = by_key(compute_round(spec(tie_break=["A"]), targets))
    assert (r["y"].rank, r["z"].rank, r["x"].rank) == (1, 2, 3)
    r = by_key(compute_round(spec(tie_break=["B"]), targets))
    assert (r["x"].rank, r["z"].rank, r["y"].rank) == (1, 2, 3)
    r = by_key(compute_round(spec(), targets))
    assert {t.rank for t in r.values()} == {1}


def ten_targets(totals):
    """Targets t0, t1, … of 机关 with the given totals (leaves filled in order)."""
    out = []
    for i, total in enumerate(totals):
        rest, scores = D(total), {}
        for code, top in (("a1", 40), ("a2", 20), ("b1", 30), ("b2", 10)):
            scores[code] = str(min(rest, D(top)))
            rest -= D(scores[code])
        out.append(target(f"t{i}", **scores))
    return out


def quota_tiers(good_pct="20", fair_pct=None):
    return [TierSpec("好", D("90"), D(good_pct)), TierSpec("较好", D("80"), fair_pct and D(fair_pct)),
            TierSpec("一般", D("60")), TierSpec("差", D("0"))]


def test_quota_boundary_tie_admits_all_tied_and_flags_them():
    # 10 targets, 好 quota 20% → floor(10 × 20 / 100) = 2; ranks 1, 2, 2 all ≥ 90
    totals = ["95", "92", "92", "91", "85", "70", "70", "65", "50", "40"]
    r = by_key(compute_round(spec(tiers=quota_tiers()), ten_targets(totals)))
    assert [r[f"t{i}"].tier for i in range(4)] == ["好", "好", "好", "较好"]
    assert [r[f"t{i}"].quota_overrun for i in range(4)] == [False, True, True, False]
    # t3 (91) qualified for 好 but had no slot: it drops to 较好 unflagged
    assert [r[f"t{i}"].tier for i in range(4, 10)] == ["较好", "一般", "一般", "一般", "差", "差"]


def test_quota_without_boundary_tie():
    totals = ["95", "93", "92", "91", "85", "70", "70", "65", "50", "40"]
    r = by_key(compute_round(spec(tiers=quota_tiers()), ten_targets(totals)))
    assert [r[f"t{i}"].tier for i in range(4)] == ["好", "好", "较好", "较好"]
    assert not any(x.quota_overrun for x in r.values())


def test_quota_cascade_to_next_tier_with_its_own_quota():
    # 好 20% → 2 slots, 较好 30% → 3 slots. Five reach 90: two 好, then
    # t2, t3, t4 take the three 较好 slots; t5 (88) drops to 一般.
    totals = ["99", "98", "97", "96", "95", "88", "85", "70", "50", "40"]
    r = by_key(compute_round(spec(tiers=quota_tiers("20", "30")), ten_targets(totals)))
    assert [r[f"t{i}"].tier for i in range(10)] == [
        "好", "好", "较好", "较好", "较好", "一般", "一般", "一般", "差", "差"]


def test_quota_rounds_down():
    # 9 targets × 20% = 1.8 → 1 slot
    totals = ["99", "98", "97", "96", "95", "94", "93", "92", "91"]
    r = compute_round(spec(tiers=quota_tiers()), ten_targets(totals))
    assert [x.tier for x in r].count("好") == 1


def test_veto_caps_tier():
    s = spec(veto_cap="一般")
    r = by_key(compute_round(s, [
        target("v", "40", "20", "30", "5", veto=True),  # 95 → 好, capped to 一般
        target("w", "20", "10", "10", "5", veto=True),  # 45 → 差, below the cap: unchanged
        target("x", "40", "20", "30", "5"),
    ]))
    assert (r["v"].computed_tier, r["v"].tier, r["v"].veto_capped) == ("好", "一般", True)
    assert (r["w"].tier, r["w"].veto_capped) == ("差", False)
    assert (r["x"].tier, r["x"].veto_capped) == ("好", False)
    assert r["v"].rank == 1  # a veto changes the tier, not the total or rank
    # with no configured cap a veto caps at the lowest tier
    (only,) = compute_round(spec(), [target("v", "40", "20", "30", "5", veto=True)])
    assert only.tier == "差"


def test_override_replaces_final_tier():
    r = by_key(compute_round(spec(veto_cap="一般"), [
        target("o", "40", "20", "30", "5", override_tier="较好"),
        target("p", "40", "20", "30", "5", veto=True, override_tier="好"),
    ]))
    assert (r["o"].computed_tier, r["o"].tier, r["o"].overridden) == ("好", "较好", True)
    assert (r["p"].tier, r["p"].veto_capped, r["p"].overridden) == ("好", True, True)


@pytest.mark.parametrize(
    "changes, targets, message",
    [
        ({}, [target("t"), target("t")], "考核对象重复：t"),
        ({}, [target("t", category="医院")], "类别「医院」不在方案类别中"),
        ({}, [target("t", a1="41")], "指标 a1 的得分 41.00 超出 0 到 40.00 的范围"),
        ({"tie_break": ["C"]}, [target("t")], "同分比较的一级指标不存在：C"),
        ({"veto_cap": "优"}, [target("t")], "一票否决封顶等次「优」不在等次设置中"),
        ({}, [target("t", override_tier="优")], "调整后的等次「优」不在等次设置中"),
    ],
)
def test_compute_round_rejects_bad_data(changes, targets, message):
    with pytest.raises(ValueError) as err:
        compute_round(spec(**changes), targets)
    assert str(err.value) == message


def test_lowest_tier_catches_negative_totals():
    (r,) = compute_round(spec(), [target("t", "1", penalty=D("5"))])
    assert (r.total, r.tier) == (D("-4.00"), "差")
