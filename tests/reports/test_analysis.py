"""Figures of the analysis reports, from the scored round of tests/exports/conftest.py:
A 96 (1.2: 16, deduction 未按期召开支委会), B 88+1, X1 47−2 (机关); C 100, X2 38 (医疗卫生)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from scorecard.domain.analysis import (
    average,
    loss_rate,
    rank_move,
    tier_move,
    top_reasons,
)
from scorecard.exports.report_columns import deduction_reasons
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.reports import analysis

TODAY = dt.date(2025, 12, 31)


def test_domain_figures():
    assert average([D("1"), D("2"), D("2")]) == D("1.67") and average([]) is None
    assert loss_rate(D("20"), [D("16"), D("20"), D("18")]) == D("10.00")
    assert loss_rate(D("0"), [D("0")]) is None and loss_rate(D("5"), []) is None
    assert top_reasons(["b", " a", "a", "", "b", "c"], 2) == [("b", 2), ("a", 2)]
    assert rank_move(5, 2) == 3 and rank_move(None, 1) is None
    order = ["好", "较好", "一般", "差"]
    assert [tier_move("较好", "好", order), tier_move("好", "差", order), tier_move("好", "好", order),
            tier_move(None, "好", order), tier_move("好", None, order), tier_move("优", "好", order)] == \
        ["升", "降", "持平", "新纳入", "未参加", "—"]


def test_loss_rows(scored):
    report, rows = analysis.loss_analysis(scored.session, scored.w["leader"], scored.rnd, TODAY)
    by = {r.code: r for r in rows}
    assert [r.code for r in rows] == ["1.1", "1.2", "2.1", "2.2", "2.3"]
    r = by["1.1"]  # 40, 36, 10, 40, 20
    assert (r.applicable, r.scored, r.average, r.lost_units) == (5, 5, D("29.20"), 3)
    assert r.loss_rate == D("27.00") and r.top == "政治建设"
    r = by["1.2"]  # 16, 20, 20, 20, 18 with two deductions
    assert (r.average, r.loss_rate, r.lost_units, r.deductions) == (D("18.80"), D("6.00"), 2, 2)
    assert r.reasons_text == "未按期召开支委会（1次）；@SUM(1)（1次）"
    r = by["2.1"]  # X2 not scored
    assert (r.applicable, r.scored, r.average) == (5, 4, D("24.00"))
    assert (by["2.2"].applicable, by["2.3"].applicable) == (2, 3)


def test_group_rows(scored):
    _, rows = analysis.group_summary(scored.session, scored.w["admin"], scored.rnd, TODAY)
    assert [g.name for g in rows] == ["第一片组", "第二片组", "未分组"]
    first = rows[0]
    assert first.count == 2 and first.average == D("92.50")  # A 96, B 89
    assert first.label(first.best) == "甲局机关党委（96.00）" and first.label(first.weakest) == "乙局机关党委（89.00）"
    assert rows[2].member_names == "=1+1、http://x.invalid"


def test_cards(scored):
    _, cards = analysis.score_cards(scored.session, scored.w["assessor"], scored.rnd, "机关", TODAY)
    assert [c.org_code for c in cards] == ["A", "B", "X1"]
    assert [(t.code, t.full, t.subtotal, [(x.code, x.max_points, x.final) for x in t.leaves]) for t in cards[0].tops] == [
        ("1", D("60"), D("56"), [("1.1", D("40"), D("40")), ("1.2", D("20"), D("16"))]),
        ("2", D("40"), D("40"), [("2.1", D("30"), D("30")), ("2.3", D("10"), D("10"))])]
    leaf = cards[0].tops[0].leaves[1]
    assert leaf.deducted == D("4") and "未按期召开支委会" in deduction_reasons(leaf)
    shown = analysis.category_cards(scored.session, scored.w["assessor"], scored.rnd, None, TODAY)
    assert shown.category == "机关" and [c.org_code for c in shown.cards] == ["A", "B", "X1"]
    assert analysis.category_cards(scored.session, scored.w["assessor"], scored.rnd, "村", TODAY) is None
    with pytest.raises(ServiceError, match="没有考核类别"):
        analysis.score_cards(scored.session, scored.w["assessor"], scored.rnd, "村")


def test_compare_same_scheme_only(scored, make):
    w = scored.w
    newcomer = make.org("D", "丁局机关党委", w["root"], "机关")
    later = make.round(scored.scheme, w["root"], [w["a"], w["b"], newcomer], code="R2")
    s = scored.session
    from sqlalchemy import select

    from scorecard.models import Indicator
    from scorecard.services.scoring import scores as scoring
    ind = s.scalar(select(Indicator).where(Indicator.scheme_id == scored.scheme.id, Indicator.code == "1.1"))
    for t, value in zip(later.targets, ("10", "40", "20")):
        scoring.save_score(s, w["assessor"], t, ind, {"value": value}, "", expected_version=None)
    s.flush()
    _, _, rows = analysis.compare_rounds(s, w["leader"], later, scored.rnd, TODAY)
    by = {r.org_code: r for r in rows}
    assert (by["A"].previous_rank, by["A"].rank, by["A"].rank_move, by["A"].tier_move) == (1, 3, -2, "降")
    assert by["B"].delta == D("-49") and by["B"].rank_move == 1
    assert by["X1"].tier_move == "未参加" and by["X1"].rank is None
    assert [r for r in rows if r.tier_move == "新纳入"]
    other = make.scheme(code="S2")
    foreign = make.round(other, w["root"], [w["a"]], code="R3")
    with pytest.raises(ServiceError, match="不是同一方案"):
        analysis.compare_rounds(s, w["leader"], later, foreign)
    assert analysis.comparable_rounds(s, w["leader"], later) == [scored.rnd]


@pytest.mark.parametrize("fn", ["loss_analysis", "group_summary", "score_cards"])
def test_units_and_clerks_refused(scored, fn):
    for who in ("unit_a", "clerk"):
        with pytest.raises(PermissionDenied):
            getattr(analysis, fn)(scored.session, scored.w[who], scored.rnd)
