"""Property-based tests (hypothesis) of the scoring core."""

import math
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard.domain.numbers import q2, q2_fraction
from scorecard.domain.rules import (
    RULE_TYPES,
    LeafRule,
    RuleError,
    format_params_text,
    leaf_score,
    parse_input,
    parse_params_text,
)
from scorecard.domain.scoring import (
    SchemeSpec,
    TargetInput,
    compute_round,
    leaf_final,
    penalty_total,
    rank_competition,
)
from scorecard.domain.tiers import TierSpec

FAST = settings(max_examples=200, deadline=None)
TWO = Decimal("0.01")


def cents(lo: int, hi: int):
    return st.integers(lo, hi).map(lambda n: Decimal(n).scaleb(-2))


NAMES = st.lists(st.sampled_from(["优秀", "好", "较好", "一般", "差", "满意", "不满意", "A", "B级"]),
                 min_size=2, max_size=5, unique=True)
FRACTION = st.integers(0, 1000).map(lambda n: Decimal(n).scaleb(-3))  # 0.000 … 1.000


MAX_POINTS = cents(1, 10000)
PER = cents(1, 1000)
RANGE = st.tuples(cents(0, 500), cents(1, 500)).map(sorted)
TARGET = cents(1, 100000)
DEDUCT_KIND = st.sampled_from(["none", "per", "range"])
KIND = st.sampled_from(RULE_TYPES)


@st.composite
def leaf_rules(draw) -> LeafRule:
    kind = draw(KIND)
    top = draw(MAX_POINTS)
    params: dict = {}
    if kind == "deduct":
        choice = draw(DEDUCT_KIND)
        if choice == "per":
            params = {"per": draw(PER)}
        elif choice == "range":
            lo, hi = draw(RANGE)
            params = {"min": lo, "max": max(hi, Decimal("0.01"))}
    elif kind == "count":
        params = {"per": draw(PER)}
    elif kind == "ratio":
        params = {"target": draw(TARGET)}
    elif kind in ("grade", "vote"):
        names = draw(NAMES)
        pairs = [[n, str(draw(FRACTION))] for n in names]
        params = {"levels" if kind == "grade" else "weights": pairs}
    return LeafRule(kind, top, params)


def _deduction(draw, rule: LeafRule) -> dict:
    reason = draw(st.sampled_from(["未按期召开", "记录不全", "缺席"]))
    if "per" in rule.params:
        return {"times": draw(st.integers(1, 10)), "reason": reason}
    if "min" in rule.params:
        lo, hi = (int(Decimal(rule.params[k]) * 100) for k in ("min", "max"))
        return {"points": draw(cents(max(lo, 1), hi)), "reason": reason}
    return {"points": draw(cents(1, 20000)), "reason": reason}


@st.composite
def rule_and_input(draw):
    rule = draw(leaf_rules())
    top, p = rule.max_points, rule.params
    kind = rule.type
    if draw(st.integers(0, 9)) == 0 and not (kind == "deduct" and p):
        # the assessor judged the points; a deduct below max needs a reason
        return rule, {"points": draw(cents(0, int(top * 100))), "reason": "酌情扣分"}
    if kind == "direct":
        inp = {"value": draw(cents(0, int(top * 100)))}
    elif kind == "deduct":
        inp = {"deductions": [_deduction(draw, rule) for _ in range(draw(st.integers(0, 6)))]}
    elif kind == "count":
        inp = {"count": draw(st.integers(0, 100))}
    elif kind == "grade":
        inp = {"level": draw(st.sampled_from([n for n, _ in p["levels"]]))}
    elif kind == "ratio":
        inp = {"actual": draw(cents(0, 300000))}
        if draw(st.booleans()):
            inp["target"] = draw(cents(1, 100000))
    elif kind == "check":
        inp = {"met": draw(st.booleans())}
    elif kind == "vote":
        names = [n for n, _ in p["weights"]]
        votes = {n: draw(st.integers(0, 200)) for n in names}
        votes[names[0]] += 1 if sum(votes.values()) == 0 else 0
        inp = {"votes": votes}
    else:
        due = draw(st.integers(0, 30))
        inp = {"done": draw(st.integers(0, due)), "due": due}
    return rule, inp


def table_score(rule: LeafRule, inp: dict) -> Decimal:
    """DESIGN §2's table computed independently (60-digit Decimal, not Fraction)."""
    top, p, kind = rule.max_points, rule.params, rule.type
    with localcontext() as ctx:
        ctx.prec = 60
        if "points" in inp:
            raw = Decimal(inp["points"])
        elif kind == "direct":
            raw = Decimal(inp["value"])
        elif kind == "deduct":
            per = Decimal(p.get("per", 0))
            raw = top - sum(Decimal(d["points"]) if "points" in d else d["times"] * per
                            for d in inp["deductions"])
        elif kind == "count":
            raw = min(top, inp["count"] * Decimal(p["per"]))
        elif kind == "grade":
            raw = top * Decimal(dict(p["levels"])[inp["level"]])
        elif kind == "ratio":
            raw = min(top, top * Decimal(inp["actual"]) / Decimal(inp.get("target", p["target"])))
        elif kind == "check":
            raw = top if inp["met"] else Decimal(0)
        elif kind == "vote":
            weights = dict(p["weights"])
            raw = top * sum(Decimal(weights[k]) * n for k, n in inp["votes"].items()) / sum(inp["votes"].values())
        else:
            raw = top if inp["due"] == 0 else top * inp["done"] / inp["due"]
        raw = max(Decimal(0), raw)
    return raw.quantize(TWO, rounding=ROUND_HALF_UP)


@FAST
@given(rule_and_input())
def test_leaf_score_stays_within_zero_and_max(case):
    rule, inp = case
    score = leaf_score(rule, inp)
    assert Decimal(0) <= score <= rule.max_points
    assert score == score.quantize(TWO)
    assert score == table_score(rule, inp)
    # normalising is idempotent and does not change the score
    norm = parse_input(rule, inp)
    assert parse_input(rule, norm) == norm
    assert leaf_score(rule, norm) == score


JUNK = st.one_of(st.none(), st.booleans(), st.integers(-5, 50), st.text(max_size=4),
                 cents(-1000, 100000), st.lists(st.integers(0, 3), max_size=2))


@FAST
@given(leaf_rules(), st.dictionaries(
    st.sampled_from(["value", "points", "count", "level", "actual", "target", "met",
                     "votes", "done", "due", "deductions", "reason"]), JUNK, max_size=4))
def test_leaf_score_on_arbitrary_input_is_in_range_or_rule_error(rule, raw):
    try:
        score = leaf_score(rule, raw)
    except RuleError as err:
        assert str(err)  # a message for the user, never another exception type
        return
    assert Decimal(0) <= score <= rule.max_points


@FAST
@given(leaf_rules())
def test_params_text_round_trip(rule):
    text = format_params_text(rule.type, rule.params)
    assert parse_params_text(rule.type, text) == rule.params


@FAST
@given(st.integers(-10**9, 10**9), st.integers(1, 3))
def test_q2_is_half_up(n, extra_places):
    # n × 10^-(2+extra) rounded half away from zero, computed on integers
    d = Decimal(n).scaleb(-(2 + extra_places))
    unit = 10**extra_places
    q, r = divmod(abs(n), unit)
    expected = (q + (1 if 2 * r >= unit else 0)) * (1 if n >= 0 else -1)
    assert q2(d) == Decimal(expected).scaleb(-2)
    assert q2_fraction(Fraction(d)) == q2(d)
    assert q2(d) == d.quantize(TWO, rounding=ROUND_HALF_UP)


@FAST
@given(st.lists(cents(0, 10000), max_size=9), st.booleans(), st.randoms(use_true_random=False))
def test_leaf_final_ignores_assessor_order(values, trimmed, rnd):
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert leaf_final(values, trimmed) == leaf_final(shuffled, trimmed)
    if values:
        assert min(values) <= leaf_final(values, trimmed) <= max(values)


# --- rounds ----------------------------------------------------------------------

LEAVES = [("a1", Decimal("40"), "A"), ("a2", Decimal("20"), "A"),
          ("b1", Decimal("30"), "B"), ("b2", Decimal("10"), "B")]
TIER_NAMES = ["好", "较好", "一般", "差"]


QUOTA = st.one_of(st.none(), st.integers(0, 100).map(Decimal))
BONUS_CAP = st.one_of(st.none(), cents(0, 1000))
VETO_CAP = st.one_of(st.none(), st.sampled_from(TIER_NAMES))
TIE_BREAK = st.sampled_from([[], ["A"], ["B", "A"]])


def _scheme(quotas, convert, bonus_cap, veto_cap, tie_break) -> SchemeSpec:
    tiers = [TierSpec(name, Decimal(t), q) for name, t, q in zip(TIER_NAMES, (90, 80, 60), quotas)]
    tiers.append(TierSpec("差", Decimal(0)))
    return SchemeSpec(
        full_marks=Decimal(100), convert=convert, bonus_cap=bonus_cap, leaves=LEAVES,
        applicable={"机关": frozenset({"a1", "a2", "b1", "b2"}), "社区": frozenset({"a1", "a2", "b2"})},
        top_codes=["A", "B"], tiers=tiers, veto_cap=veto_cap, tie_break=tie_break,
    )


def schemes():
    return st.builds(_scheme, st.tuples(QUOTA, QUOTA, QUOTA), st.booleans(), BONUS_CAP, VETO_CAP, TIE_BREAK)


# few distinct values per leaf so that ties are common
LEAF_SCORE = {code: st.sampled_from([None, top, top / 2, Decimal(0), top - 1]) for code, top, _ in LEAVES}
SCORES = st.fixed_dictionaries(LEAF_SCORE)
BONUS = st.sampled_from([Decimal(0), Decimal(0), Decimal("1.5"), Decimal(5)])
PENALTY = st.sampled_from([Decimal(0), Decimal(0), Decimal(1)])
VETO = st.sampled_from([False, False, False, True])
OVERRIDE = st.sampled_from([None, None, None, None, *TIER_NAMES])


def target_lists(min_size=1, max_size=12, categories=("机关", "社区")):
    one = st.tuples(st.sampled_from(categories), SCORES, BONUS, PENALTY, VETO, OVERRIDE)
    return st.lists(one, min_size=min_size, max_size=max_size).map(
        lambda rows: [TargetInput(f"t{i:02d}", *row) for i, row in enumerate(rows)])


@FAST
@given(schemes(), target_lists(), st.randoms(use_true_random=False))
def test_round_does_not_depend_on_target_order(spec, targets, rnd):
    shuffled = list(targets)
    rnd.shuffle(shuffled)
    first = {r.key: r for r in compute_round(spec, targets)}
    second = {r.key: r for r in compute_round(spec, shuffled)}
    assert first == second
    for r in first.values():
        assert Decimal(0) <= r.base <= spec.full_marks or r.applicable_full == 0


@FAST
@given(schemes(), target_lists(categories=("机关",)), st.data())
def test_bonus_never_lowers_own_rank_nor_lifts_others_above(spec, targets, data):
    spec = replace(spec, bonus_cap=None)
    i = data.draw(st.integers(0, len(targets) - 1))
    extra = data.draw(cents(1, 2000))
    before = {r.key: r.rank for r in compute_round(spec, targets)}
    boosted = list(targets)
    boosted[i] = replace(targets[i], bonus=targets[i].bonus + extra)
    after = {r.key: r.rank for r in compute_round(spec, boosted)}
    me = targets[i].key
    assert after[me] <= before[me]
    for key in before:
        if key != me:
            assert after[key] >= before[key]  # nobody else improves
            if before[key] >= before[me]:
                assert after[key] >= after[me]  # nobody not above me gets above me


@FAST
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), max_size=15))
def test_ranks_are_competition_ranks(keys):
    ranks = rank_competition(keys)
    for k, rank in zip(keys, ranks):
        assert rank == 1 + sum(1 for other in keys if other > k)


@FAST
@given(target_lists(min_size=1, max_size=15, categories=("机关",)), st.integers(0, 100),
       st.sampled_from(["90", "80", "50"]))
def test_quota_admits_the_best_and_at_least_its_size(targets, pct, threshold):
    tiers = [TierSpec("好", Decimal(threshold), Decimal(pct)), TierSpec("较好", Decimal(0))]
    spec = SchemeSpec(Decimal(100), False, None, LEAVES, {}, ["A", "B"], tiers)
    results = compute_round(spec, [replace(t, veto=False, override_tier=None) for t in targets])
    cap = math.floor(len(results) * pct / 100)
    eligible = [r for r in results if r.total >= Decimal(threshold)]
    good = [r for r in results if r.tier == "好"]
    assert min(cap, len(eligible)) <= len(good) <= len(eligible)
    assert (len(good) > cap) == any(r.quota_overrun for r in results)
    left_out = [r for r in eligible if r.tier != "好"]
    if good and left_out:
        assert max(r.rank for r in good) < min(r.rank for r in left_out)


@FAST
@given(st.lists(st.tuples(st.lists(cents(1, 1000), min_size=1, max_size=8),
                          st.one_of(st.none(), cents(1, 1000))), max_size=6))
def test_a_capped_penalty_item_never_subtracts_more_than_its_cap(items):
    """Each item entered any number of times: it counts at most its cap, and exactly Σ below it."""
    summed = [(sum(entries, Decimal(0)), cap) for entries, cap in items]
    total = penalty_total(summed)
    assert total == sum((p if cap is None else min(p, cap) for p, cap in summed), Decimal(0))
    for i, (points, cap) in enumerate(summed):
        rest = penalty_total(summed[:i] + summed[i + 1:])
        assert total - rest <= (points if cap is None else cap)
