"""The card's numbers traced to their inputs (the worked example in tests/cards/conftest.py)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from scorecard.exports.cards import card_columns, summary_lines
from scorecard.services import permissions
from scorecard.services.cards.card import build_card, round_cards
from scorecard.services.errors import PermissionDenied
from scorecard.services.rounds import adjustments

D = Decimal


def test_worked_example(session, card_world):
    w = card_world
    card = build_card(session, w["leader"], w["ta"])
    assert (card.org_code, card.org_name, card.category, card.category_size) == ("A", "甲局机关党委", "机关", 2)
    assert [a.name for a in card.assessors] == ["assessor", "李四"]
    leaves = {leaf.code: leaf for leaf in card.leaves}
    assert list(leaves) == ["1.1", "1.2", "2.1"]
    by = {a.name: a.id for a in card.assessors}
    l11, l12, l21 = leaves["1.1"], leaves["1.2"], leaves["2.1"]
    assert (l11.entries[by["assessor"]].points, l11.entries[by["李四"]].points, l11.final) == (D(38), D(35), D("36.50"))
    assert l11.entries[by["assessor"]].comment == "材料略少"
    assert l11.entries[by["李四"]].comment == "学习记录不完整"
    assert (l12.entries[by["assessor"]].points, l12.entries[by["李四"]].points, l12.final) == (D(18), D(16), D("17.00"))
    assert l12.deductions == [("assessor", D(2), "三会一课缺记录"), ("李四", D(4), "未按期召开支委会")]
    assert l12.deductions_text == "assessor：扣2分，三会一课缺记录；李四：扣4分，未按期召开支委会"
    assert (l21.final, l21.rule_label) == (D("36.00"), "档次")
    assert l21.entries[by["李四"]].detail == "档次：较好（80%）"
    assert [(t.code, t.full, t.subtotal) for t in card.tops] == [("1", D(60), D("53.50")), ("2", D(40), D("36.00"))]
    assert (card.base, card.bonus, card.penalty, card.total) == (D("89.50"), D("1.00"), D("2.00"), D("88.50"))
    assert (card.rank, card.tier, card.computed_tier) == (1, "较好", "较好")
    assert [(a.kind, a.code, a.points, a.reason) for a in card.adjustments] == [
        ("加分", "B1", D(1), "获得省级表彰"), ("减分", "P1", D(2), "未按期换届")]
    assert (card.veto, card.override_tier) == (False, None)


def test_change_since_previous_round_of_same_family(session, card_world):
    w = card_world
    card = build_card(session, w["leader"], w["ta"])
    p = card.previous
    assert (p.round_code, p.total, p.rank, p.tier, p.delta) == ("R0", D("74.00"), 1, "一般", D("14.50"))
    assert card.delta_text == "+14.50"
    assert [(t.code, t.previous) for t in card.tops] == [("1", D("50.00")), ("2", D("24.00"))]
    # B was not assessed in R0: no previous round, shown as "—"
    card_b = build_card(session, w["leader"], w["tb"])
    assert card_b.previous is None and card_b.delta_text == "—"
    assert dict((k, v) for k, _, v, _ in summary_lines(card_b))["delta"] == "—"


def test_other_scheme_family_and_later_rounds_are_not_previous(session, make, card_world):
    w = card_world
    other = make.scheme(code="S2", name="其他方案")
    make.round(other, w["root"], [w["a"]], code="RX")  # created later, other family
    later = make.round(w["scheme"], w["root"], [w["a"]], code="R2")  # same family, later
    session.commit()
    assert build_card(session, w["leader"], w["ta"]).previous.round_code == "R0"
    assert build_card(session, w["leader"], later.targets[0]).previous.round_code == "R1"


def test_veto_and_override_with_reasons(session, card_world):
    w = card_world
    adjustments.set_veto(session, w["assessor"], w["ta"], True, "发生严重违纪问题")
    card = build_card(session, w["leader"], w["ta"])
    assert (card.veto, card.veto_reason, card.veto_capped, card.tier, card.computed_tier) == (
        True, "发生严重违纪问题", True, "差", "较好")
    lines = {k: (v, text) for k, _, v, text in summary_lines(card)}
    assert lines["veto"] == ("是", "原因：发生严重违纪问题（等次已封顶）")
    assert "一票否决：发生严重违纪问题（等次已封顶）" in lines["notes"][1]
    adjustments.set_override(session, w["assessor"], w["ta"], "一般", "经集体研究调整")
    card = build_card(session, w["leader"], w["ta"])
    assert (card.tier, card.override_tier, card.override_reason) == ("一般", "一般", "经集体研究调整")
    lines = {k: (v, text) for k, _, v, text in summary_lines(card)}
    assert lines["override"] == ("一般", "由“较好”调整为“一般”，原因：经集体研究调整")


def test_columns_grow_with_assessors(session, card_world):
    w = card_world
    card = build_card(session, w["leader"], w["ta"])
    cols = card_columns(card)
    assert [c.header for c in cols][:5] == ["编码", "指标", "分值", "评分方式", "评分标准"]
    assert [(c.group, c.header) for c in cols if c.group] == [
        ("assessor", "评分"), ("assessor", "评语"), ("李四", "评分"), ("李四", "评语")]
    assert [c.header for c in cols][-2:] == ["得分", "扣分及原因"]  # no self-assessment submitted


def test_final_round_card_comes_from_snapshot(session, card_world):
    w = card_world
    w["a"].name = "甲局（已更名）"
    session.commit()
    card = build_card(session, w["leader"], w["r0"].targets[0])
    assert card.final and card.org_name == "甲局机关党委" and card.total == D("74.00")


@pytest.mark.parametrize("who,target,allowed", [
    ("admin", "ta", True), ("assessor", "ta", True), ("leader", "tb", True), ("assessor_a", "ta", False),  # home unit, in progress
    ("assessor_a", "tb", True),
    ("unit_a", "ta", False), ("unit_b", "ta", False), ("clerk", "ta", False),
])
def test_service_refuses_outside_permission(session, card_world, who, target, allowed):
    w = card_world  # R1 is in 审核评分: units cannot see cards yet
    if allowed:
        assert build_card(session, w[who], w[target]).target_id == w[target].id
    else:
        with pytest.raises(PermissionDenied):
            build_card(session, w[who], w[target])
    assert permissions.can_view_card(w[who], w[target]) is allowed


def test_round_cards_are_the_same_cards(session, card_world):
    """The round's 评分卡 report is built from the same read model as the card page."""
    w = card_world
    rnd = w["ta"].round
    _, cards = round_cards(session, w["leader"], rnd)
    card = next(c for c in cards if c.target_id == w["ta"].id)
    one = build_card(session, w["leader"], w["ta"])
    assert [(t.code, t.full, t.subtotal) for t in card.tops] == [(t.code, t.full, t.subtotal) for t in one.tops]
    assert [(x.code, x.final, x.deductions) for x in card.leaves] == [(x.code, x.final, x.deductions) for x in one.leaves]
    assert (card.total, card.rank, card.tier, card.category_size) == (one.total, one.rank, one.tier, one.category_size)
    assert card.previous is None and card.extras == []  # only the one-target card reads those
    with pytest.raises(PermissionDenied):
        round_cards(session, w["unit_a"], rnd)
