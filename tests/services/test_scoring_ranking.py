"""Service tests for score entry, rounds, adjustments and the ranking report."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from scorecard.models import AuditEntry, Score
from scorecard.services.errors import PermissionDenied, ServiceError, StaleData
from scorecard.services.rounds import adjustments
from scorecard.services.rounds import lifecycle as rounds
from scorecard.services.rounds.ranking import compute_ranking, ranking_for
from scorecard.services.scoring import scores as scoring
from tests.finalizing import finalize


@pytest.fixture
def w(make, session):
    world = make.world()
    scheme = make.scheme()
    world["scheme"] = scheme
    world["round"] = make.round(scheme, world["root"], [world["a"], world["b"]])
    world["leaf"] = {i.code: i for i in scheme.indicators}
    world["ta"], world["tb"] = world["round"].targets
    return world


def save(session, w, user, target, code, raw, version=None, comment=""):
    return scoring.save_score(session, w[user], target, w["leaf"][code], raw, comment, version)


def test_typed_inputs_give_rule_points(session, w):
    assert save(session, w, "assessor", w["ta"], "1.1", {"value": "35.5"}).points == D("35.50")
    r = save(session, w, "assessor", w["ta"], "1.2",
             {"deductions": [{"times": "2", "reason": "未按期召开支委会"}, {"points": "2", "reason": "记录不全"}]})
    assert r.points == D("14.00")  # 20 − 2×2 − 2
    assert save(session, w, "assessor", w["ta"], "2.1", {"level": "较好"}).points == D("32.00")  # 40 × 80%


def test_deduct_is_floored_at_zero(session, w):
    r = save(session, w, "assessor", w["ta"], "1.2",
             {"deductions": [{"times": "11", "reason": "全年未开展"}]})
    assert r.points == D("0.00")  # 扣完为止: 20 − 22 → 0


def test_bad_input_is_refused_with_chinese_message(session, w):
    with pytest.raises(ServiceError, match="1.1 第一议题"):
        save(session, w, "assessor", w["ta"], "1.1", {"value": "41"})
    with pytest.raises(ServiceError, match="原因"):
        save(session, w, "assessor", w["ta"], "1.2", {"deductions": [{"points": "2", "reason": " "}]})
    assert session.scalar(select(func.count()).select_from(Score)) == 0


def test_stale_save_is_refused_and_keeps_the_other_value(session, w):
    first = save(session, w, "assessor", w["ta"], "1.1", {"value": "30"})
    assert first.version == 1
    second = save(session, w, "assessor", w["ta"], "1.1", {"value": "31"}, version=1)
    assert second.version == 2
    with pytest.raises(StaleData, match="已在别处被修改"):
        save(session, w, "assessor", w["ta"], "1.1", {"value": "20"}, version=1)
    with pytest.raises(StaleData):
        save(session, w, "assessor", w["ta"], "1.1", {"value": "20"}, version=None)
    assert session.scalar(select(Score.points)) == D("31.00")


def test_two_assessors_keep_their_own_scores(session, w):
    save(session, w, "assessor", w["ta"], "1.1", {"value": "30"})
    save(session, w, "assessor_a", w["tb"], "1.1", {"value": "40"})
    save(session, w, "assessor", w["tb"], "1.1", {"value": "35"})
    report = compute_ranking(session, w["round"])
    row_b = next(r for r in report.rows if r.org_code == "B")
    assert row_b.leaf_scores["1.1"] == D("37.50")  # mean of 40 and 35


def test_home_unit_and_other_roles_cannot_score(session, w):
    with pytest.raises(PermissionDenied, match="回避"):
        save(session, w, "assessor_a", w["ta"], "1.1", {"value": "30"})
    for user in ("leader", "unit_a", "admin", "clerk"):
        with pytest.raises(PermissionDenied):
            save(session, w, user, w["ta"], "1.1", {"value": "30"})


def test_scores_frozen_after_publish(session, w):
    rounds.advance(session, w["assessor"], w["round"], "publish")
    with pytest.raises(PermissionDenied, match="公示"):
        save(session, w, "assessor", w["ta"], "1.1", {"value": "30"})


def test_report_totals_ranks_and_adjustments(session, w):
    for t, values in ((w["ta"], ("38", "20", "好")), (w["tb"], ("30", "20", "较好"))):
        save(session, w, "assessor", t, "1.1", {"value": values[0]})
        save(session, w, "assessor", t, "1.2", {"deductions": []})
        save(session, w, "assessor", t, "2.1", {"level": values[2]})
    items = {i.code: i for i in w["scheme"].items}
    adjustments.add_adjustment(session, w["assessor"], w["tb"], items["B1"], "2", "获评示范单位")
    adjustments.add_adjustment(session, w["assessor"], w["ta"], items["P1"], None, "未按期换届")
    report = compute_ranking(session, w["round"])
    a, b = (next(r for r in report.rows if r.org_code == c) for c in ("A", "B"))
    assert (a.base, a.penalty, a.total) == (D("98.00"), D("2.00"), D("96.00"))
    assert (b.base, b.bonus, b.total) == (D("82.00"), D("2.00"), D("84.00"))
    assert (a.rank, a.tier, b.rank, b.tier) == (1, "好", 2, "较好")
    assert a.subtotals == {"1": D("58.00"), "2": D("40.00")}
    assert any("未按期换届" in x.reason for x in report.adjustments)


def test_adjustment_rules(session, w):
    items = {i.code: i for i in w["scheme"].items}
    with pytest.raises(ServiceError, match="上限"):
        adjustments.add_adjustment(session, w["assessor"], w["ta"], items["B1"], "3", "过多")
    with pytest.raises(ServiceError, match="原因"):
        adjustments.set_veto(session, w["assessor"], w["ta"], True, "")
    with pytest.raises(PermissionDenied, match="回避"):
        adjustments.set_veto(session, w["assessor_a"], w["ta"], True, "违纪")
    adjustments.set_veto(session, w["assessor"], w["ta"], True, "发生严重违纪问题")
    adjustments.set_override(session, w["assessor"], w["tb"], "好", "实地核验后集体研究")
    with pytest.raises(ServiceError, match="等次"):
        adjustments.set_override(session, w["assessor"], w["tb"], "优秀", "不存在的等次")
    actions = session.scalars(select(AuditEntry.action)).all()
    assert {"veto", "override_tier"} <= set(actions)


def test_veto_caps_and_shows_in_report(session, w):
    w["scheme"].veto_cap = "一般"
    for code, raw in (("1.1", {"value": "40"}), ("1.2", {"deductions": []}), ("2.1", {"level": "好"})):
        save(session, w, "assessor", w["ta"], code, raw)
    adjustments.set_veto(session, w["assessor"], w["ta"], True, "发生严重违纪问题")
    row = next(r for r in compute_ranking(session, w["round"]).rows if r.org_code == "A")
    assert (row.total, row.computed_tier, row.tier) == (D("100.00"), "好", "一般")
    assert "一票否决：发生严重违纪问题" in row.notes_text


def test_finalize_freezes_a_snapshot(session, w):
    save(session, w, "assessor", w["ta"], "1.1", {"value": "30"})
    rounds.advance(session, w["assessor"], w["round"], "publish")
    finalize(session, w["assessor"], w["round"])
    before = ranking_for(session, w["round"]).to_dict()
    w["a"].name = "甲局（已更名）"
    w["leaf"]["1.1"].name = "改过的名称"
    session.flush()
    after = ranking_for(session, w["round"]).to_dict()
    assert after == before
    assert any(r["org_name"] == "甲局机关党委" for r in after["rows"])
    with pytest.raises(ServiceError, match="已定档"):
        rounds.advance(session, w["assessor"], w["round"], "finalize")


def test_create_round_targets_and_errors(session, w, make):
    r = rounds.create_round(session, w["assessor"], w["scheme"], "R2", "第二轮")
    assert sorted(t.org.code for t in r.targets) == ["A", "B"]  # orgs with a category in scope
    with pytest.raises(ServiceError, match="已存在"):
        rounds.create_round(session, w["assessor"], w["scheme"], "R2", "重复")
    with pytest.raises(ServiceError, match="未设置考核类别"):
        rounds.create_round(session, w["assessor"], w["scheme"], "R3", "x", ["A-1"])
    with pytest.raises(ServiceError, match="不存在"):
        rounds.create_round(session, w["assessor"], w["scheme"], "R3", "x", ["NOPE"])
    with pytest.raises(PermissionDenied):
        rounds.create_round(session, w["leader"], w["scheme"], "R4", "x")
