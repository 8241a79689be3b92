"""Services: verification, votes, nominations, appeals; their effect on the ranking; audit."""
from __future__ import annotations

import datetime as dt

import pytest

from scorecard.models import Adjustment, PanelVote
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.publicity import appeals, nominations
from scorecard.services.rounds import lifecycle as rounds
from scorecard.services.rounds.ranking import compute_ranking
from scorecard.services.scoring import verification, votes
from scorecard.services.scoring.verification import SampledLeaf
from scorecard.services.scoring.votes import GridRow
from tests.finalizing import finalize

from .conftest import TODAY, D, audits, leaf, row_of

# -- 实地核验 -----------------------------------------------------------------------------

def test_verified_score_replaces_leaf_and_original_stays(session, w):
    before = row_of(compute_ranking(session, w["round"]), w["ta"])
    assert before.leaf_scores["1.1"] == D("38.00") and before.total == D("88.00")
    visit = verification.record_visit(
        session, w["assessor"], w["ta"], dt.date(2025, 11, 20), "张三、李四", "台账与实际不符",
        [SampledLeaf(leaf(w, "1.1"), "35", "学习记录缺3次"), SampledLeaf(leaf(w, "2.1"))], today=TODAY)
    assert [(i.indicator.code, i.original_points, i.verified_points) for i in visit.items] == [
        ("1.1", D("38.00"), D("35.00")), ("2.1", D("20.00"), None)]
    row = row_of(compute_ranking(session, w["round"]), w["ta"])
    assert row.leaf_scores["1.1"] == D("35.00") and row.total == D("85.00")
    assert "实地核验 1.1 第一议题：38.00→35.00" in row.notes
    entry = audits(session, "verification_visit")[-1]
    assert entry.old == {"1.1": "38.00", "2.1": "20.00"} and entry.new["scores"]["1.1"] == "35.00"
    assert "学习记录缺3次" in entry.reason


@pytest.mark.parametrize("sampled, date, team, message", [
    ([("1.1", "41", "x")], dt.date(2025, 11, 1), "张三", "超出0到40.00的范围"),
    ([("1.1", "35", "")], dt.date(2025, 11, 1), "张三", "必须填写调整原因"),
    ([("1.1", "3.333", "x")], dt.date(2025, 11, 1), "张三", "最多保留两位小数"),
    ([("1.1", "abc", "x")], dt.date(2025, 11, 1), "张三", "不是有效的数字"),
    ([], dt.date(2025, 11, 1), "张三", "至少选择一个"),
    ([("1.1", "35", "x")], dt.date(2025, 12, 11), "张三", "不能晚于今天"),
    ([("1.1", "35", "x")], dt.date(2025, 11, 1), " ", "核验组成员"),
])
def test_verification_bad_input_writes_nothing(session, w, sampled, date, team, message):
    items = [SampledLeaf(leaf(w, c), v, r) for c, v, r in sampled]
    with pytest.raises(ServiceError, match=message):
        verification.record_visit(session, w["assessor"], w["ta"], date, team, "", items, today=TODAY)
    session.rollback()
    assert verification.visits_of(session, w["ta"]) == []


def test_verification_refused_for_home_unit_and_after_publish(session, w):
    with pytest.raises(PermissionDenied, match="回避"):
        verification.record_visit(session, w["assessor_a"], w["ta"], TODAY, "张三", "",
                                  [SampledLeaf(leaf(w, "1.1"), "35", "x")], today=TODAY)
    rounds.advance(session, w["assessor"], w["round"], "publish", today=TODAY)
    with pytest.raises(PermissionDenied, match="公示"):
        verification.record_visit(session, w["assessor"], w["tb"], TODAY, "张三", "",
                                  [SampledLeaf(leaf(w, "1.1"), "35", "x")], today=TODAY)


# -- 述职评议 -----------------------------------------------------------------------------

def _grid(*rows):
    return [GridRow(r, {"2.2": c}) for r, c in rows]


def test_votes_convert_by_rule_into_leaf_score(session, w):
    n = votes.save_grid(session, w["assessor"], w["ta"], _grid(
        ("评委1", "满意"), ("评委2", "满意"), ("评委3", "基本满意"), ("评委4", "不满意"), ("", "")))
    assert n == 4
    # 20 × (1+1+0.6+0) / 4 = 13.00 replaces the assessor's 10
    row = row_of(compute_ranking(session, w["round"]), w["ta"])
    assert row.leaf_scores["2.2"] == D("13.00")
    assert votes.tally(session, w["ta"])["2.2"] == {
        "counts": {"满意": 2, "基本满意": 1, "不满意": 1}, "points": D("13.00"), "total": 4}
    entry = audits(session, "panel_vote")[-1]
    assert entry.new["counts"] == {"满意": 2, "基本满意": 1, "不满意": 1} and entry.new["points"] == "13.00"
    # replacing: the grid is the whole tally
    votes.save_grid(session, w["assessor"], w["ta"], _grid(("评委1", "满意")))
    assert session.query(PanelVote).count() == 1
    assert row_of(compute_ranking(session, w["round"]), w["ta"]).leaf_scores["2.2"] == D("20.00")


def test_vote_weights_from_leaf_params(session, make, w):
    ind = leaf(w, "2.2")
    ind.rule_params = {"weights": [["优秀", "1"], ["合格", "0.5"]]}
    session.flush()
    votes.save_grid(session, w["assessor"], w["ta"], _grid(("甲", "优秀"), ("乙", "合格"), ("丙", "合格")))
    assert row_of(compute_ranking(session, w["round"]), w["ta"]).leaf_scores["2.2"] == D("13.33")
    with pytest.raises(ServiceError, match="未知的评价“满意”"):
        votes.save_grid(session, w["assessor"], w["ta"], _grid(("甲", "满意")))


@pytest.mark.parametrize("rows, message", [
    ([("评委1", "满意"), ("评委1", "不满意")], "第2行：评议人“评委1”与第1行重复"),
    ([("", "满意")], "第1行：评议人不能为空"),
    ([("评委1", "很好")], "第1行“2.2 述职评议”：未知的评价“很好”"),
    ([("x" * 51, "满意")], "超过50个字符"),
])
def test_vote_grid_errors_write_nothing(session, w, rows, message):
    votes.save_grid(session, w["assessor"], w["ta"], _grid(("原评委", "满意")))
    session.commit()
    with pytest.raises(ServiceError, match=message):
        votes.save_grid(session, w["assessor"], w["ta"], _grid(*rows))
    session.rollback()
    assert [(v.rater, v.choice) for v in session.query(PanelVote)] == [("原评委", "满意")]


def test_votes_visible_to_assessors_only(session, w):
    votes.save_grid(session, w["assessor"], w["ta"], _grid(("评委1", "满意")))
    assert votes.votes_of(session, w["assessor"], w["ta"]) == {leaf(w, "2.2").id: {"评委1": "满意"}}
    for who in ("unit_a", "leader", "admin", "assessor_a", "other_assessor"):
        with pytest.raises(PermissionDenied):
            votes.votes_of(session, w[who], w["ta"])


def test_votes_refused_for_home_unit(session, w):
    with pytest.raises(PermissionDenied, match="回避"):
        votes.save_grid(session, w["assessor_a"], w["ta"], _grid(("评委1", "满意")))


# -- 绩优推报 -----------------------------------------------------------------------------

def _bonus(w):
    return next(i for i in w["scheme"].items if i.kind == "bonus")  # B1: cap 2


def test_nomination_approved_becomes_bonus_adjustment(session, w):
    nom = nominations.nominate(session, w["unit_a"], w["ta"], _bonus(w), "全国先进基层党组织", "2", "文件号")
    nominations.decide(session, w["assessor"], nom, True, "1.5", "材料仅支持州级")
    adj = session.get(Adjustment, nom.adjustment_id)
    assert adj.points == D("1.50") and "全国先进基层党组织" in adj.reason
    report = compute_ranking(session, w["round"])
    assert row_of(report, w["ta"]).bonus == D("1.50")
    assert [(a.org_code, a.kind, a.points) for a in report.adjustments] == [("A", "加分", D("1.50"))]
    assert audits(session, "nomination")[-1].new["approved"] == "1.50"


def test_nomination_caps_on_approval(session, w):
    item = _bonus(w)  # cap 2 per item; scheme bonus cap 3
    first = nominations.nominate(session, w["unit_a"], w["ta"], item, "荣誉一", "2")
    second = nominations.nominate(session, w["unit_a"], w["ta"], item, "荣誉二", "2")
    nominations.decide(session, w["assessor"], first, True)
    with pytest.raises(ServiceError, match="最多还能加0.00分"):
        nominations.decide(session, w["assessor"], second, True, "1", "同类")
    with pytest.raises(ServiceError, match="不能超过申报分值"):
        nominations.decide(session, w["assessor"], second, True, "3")
    with pytest.raises(ServiceError, match="必须大于0"):
        nominations.decide(session, w["assessor"], second, True, "0")
    assert second.status == "pending"
    other = nominations.nominate(session, w["unit_b"], w["tb"], item, "荣誉", "2")
    with pytest.raises(ServiceError, match="请填写审核意见说明原因"):
        nominations.decide(session, w["assessor"], other, True, "1")


def test_nomination_scheme_bonus_cap(session, w):
    from scorecard.models import SchemeItem

    other = SchemeItem(code="B2", name="创新案例", kind="bonus", points=D("2"), cap=D("2"), position=3)
    w["scheme"].items.append(other)
    session.flush()
    a = nominations.nominate(session, w["unit_a"], w["ta"], _bonus(w), "荣誉", "2")
    b = nominations.nominate(session, w["unit_a"], w["ta"], other, "创新", "2")
    nominations.decide(session, w["assessor"], a, True)
    with pytest.raises(ServiceError, match="最多还能加1.00分"):
        nominations.decide(session, w["assessor"], b, True)
    nominations.decide(session, w["assessor"], b, True, "1", "加分总上限3分")
    assert row_of(compute_ranking(session, w["round"]), w["ta"]).bonus == D("3.00")


def test_nomination_reject_needs_reason_and_claim_checked(session, w):
    nom = nominations.nominate(session, w["unit_a"], w["ta"], _bonus(w), "荣誉", "")
    assert nom.claimed_points == D("1.00")  # the item's points when left blank
    with pytest.raises(ServiceError, match="不通过须填写原因"):
        nominations.decide(session, w["assessor"], nom, False)
    nominations.decide(session, w["assessor"], nom, False, reason="非本年度荣誉")
    assert nom.status == "rejected" and nom.adjustment_id is None
    with pytest.raises(ServiceError, match="超过该加分项上限"):
        nominations.nominate(session, w["unit_a"], w["ta"], _bonus(w), "荣誉", "5")
    penalty = next(i for i in w["scheme"].items if i.kind == "penalty")
    with pytest.raises(ServiceError, match="加分项"):
        nominations.nominate(session, w["unit_a"], w["ta"], penalty, "荣誉", "1")


def test_nomination_permissions(session, w):
    with pytest.raises(PermissionDenied):
        nominations.nominate(session, w["unit_b"], w["ta"], _bonus(w), "荣誉", "1")
    nom = nominations.nominate(session, w["unit_a"], w["ta"], _bonus(w), "荣誉", "1")
    with pytest.raises(PermissionDenied, match="回避"):
        nominations.decide(session, w["assessor_a"], nom, True)
    with pytest.raises(PermissionDenied):
        nominations.decide(session, w["unit_a"], nom, True)


# -- 公示 and appeals ---------------------------------------------------------------------

def _publish(session, w):
    rounds.advance(session, w["assessor"], w["round"], "publish", today=TODAY)
    return w["round"]


def test_publish_opens_window(session, w):
    rnd = _publish(session, w)
    assert (rnd.publicity_start, rnd.publicity_end) == (TODAY, TODAY + dt.timedelta(days=6))
    assert appeals.window_state(rnd, TODAY) == "open"
    assert appeals.window_state(rnd, TODAY + dt.timedelta(days=7)) == "closed"
    assert audits(session, "round")[-1].new["publicity_end"] == "2025-12-16"


def test_appeal_changes_ranking_and_finalize_refused_while_open(session, w):
    _publish(session, w)
    before = compute_ranking(session, w["round"])
    assert [r.org_code for r in before.rows] == ["A", "B"]
    appeal = appeals.submit(session, w["unit_b"], w["tb"], leaf(w, "1.1"), "已按要求完成第一议题学习", TODAY)
    assert appeal.before_points == D("30.00")
    with pytest.raises(ServiceError, match="还有1条申诉尚未复核，不能定档"):
        finalize(session, w["assessor"], w["round"])
    assert w["round"].phase == "publicity"
    appeals.answer(session, w["assessor"], appeal, "changed", "40", "补充材料属实")
    assert (appeal.before_points, appeal.after_points, appeal.status) == (D("30.00"), D("40.00"), "changed")
    after = compute_ranking(session, w["round"])
    rb = row_of(after, w["tb"])
    assert rb.leaf_scores["1.1"] == D("40.00") and rb.total == D("90.00")
    assert "申诉复核 1.1 第一议题：30.00→40.00" in rb.notes
    assert [(r.org_code, r.rank) for r in after.rows] == [("B", 1), ("A", 2)]
    entry = audits(session, "appeal")[-1]
    assert (entry.old["points"], entry.new["points"], entry.reason) == ("30.00", "40.00", "补充材料属实")
    finalize(session, w["assessor"], w["round"])
    snap = w["round"].snapshot
    assert next(r for r in snap["rows"] if r["org_code"] == "B")["total"] == "90.00"


def test_appeal_upheld_and_validation(session, w):
    _publish(session, w)
    appeal = appeals.submit(session, w["unit_a"], w["ta"], leaf(w, "1.2"), "理由", TODAY)
    with pytest.raises(ServiceError, match="每个指标只能申诉一次"):
        appeals.submit(session, w["unit_a"], w["ta"], leaf(w, "1.2"), "再次", TODAY)
    with pytest.raises(ServiceError, match="请填写复核意见"):
        appeals.answer(session, w["assessor"], appeal, "upheld", None, " ")
    with pytest.raises(ServiceError, match="超出0到20.00的范围"):
        appeals.answer(session, w["assessor"], appeal, "changed", "25", "改")
    with pytest.raises(ServiceError, match="与原得分20.00相同"):
        appeals.answer(session, w["assessor"], appeal, "changed", "20", "改")
    appeals.answer(session, w["assessor"], appeal, "upheld", None, "扣分依据充分")
    assert appeal.status == "upheld" and appeal.after_points is None
    with pytest.raises(ServiceError, match="已复核"):
        appeals.answer(session, w["assessor"], appeal, "upheld", None, "再答")
    assert row_of(compute_ranking(session, w["round"]), w["ta"]).total == D("88.00")


def test_appeal_window_and_permissions(session, w):
    with pytest.raises(PermissionDenied, match="不在公示期"):
        appeals.submit(session, w["unit_a"], w["ta"], leaf(w, "1.1"), "理由", TODAY)
    _publish(session, w)
    with pytest.raises(PermissionDenied, match="已于2025-12-16结束"):
        appeals.submit(session, w["unit_a"], w["ta"], leaf(w, "1.1"), "理由", dt.date(2025, 12, 17))
    with pytest.raises(PermissionDenied):
        appeals.submit(session, w["unit_b"], w["ta"], leaf(w, "1.1"), "理由", TODAY)
    with pytest.raises(ServiceError, match="申诉理由"):
        appeals.submit(session, w["unit_a"], w["ta"], leaf(w, "1.1"), "  ", TODAY)
    appeal = appeals.submit(session, w["unit_a"], w["ta"], leaf(w, "1.1"), "理由", TODAY)
    with pytest.raises(PermissionDenied, match="回避"):
        appeals.answer(session, w["assessor_a"], appeal, "upheld", None, "x")
    with pytest.raises(PermissionDenied):
        appeals.answer(session, w["unit_a"], appeal, "upheld", None, "x")


def test_set_window(session, w):
    rnd = _publish(session, w)
    with pytest.raises(ServiceError, match="不能早于开始日期"):
        appeals.set_window(session, w["assessor"], rnd, TODAY, TODAY - dt.timedelta(days=1))
    appeals.set_window(session, w["assessor"], rnd, TODAY, TODAY + dt.timedelta(days=2), "延长")
    assert rnd.publicity_end == dt.date(2025, 12, 12)
    with pytest.raises(PermissionDenied):
        appeals.set_window(session, w["unit_a"], rnd, TODAY, TODAY)


def test_removing_the_bonus_of_an_approved_nomination_keeps_the_nomination(session, w):
    from scorecard.services.rounds import adjustments

    nom = nominations.nominate(session, w["unit_a"], w["ta"], _bonus(w), "荣誉", "1")
    nominations.decide(session, w["assessor"], nom, True)
    session.commit()
    adjustments.remove_adjustment(session, w["assessor"], session.get(Adjustment, nom.adjustment_id), "重复加分")
    session.commit()
    session.expire_all()
    assert nom.status == "approved" and nom.adjustment_id is None
    assert row_of(compute_ranking(session, w["round"]), w["ta"]).bonus == D("0.00")
