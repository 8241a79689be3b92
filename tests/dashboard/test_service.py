"""Dashboard figures against the worked example in conftest.py (worked out by hand below)."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from scorecard.domain.stats import histogram, loss_rate, mean, percent, score_bins, tier_move
from scorecard.services.dashboard.round_dashboard import previous_round, round_dashboard
from scorecard.services.errors import PermissionDenied


def test_stats_are_exact_and_half_up():
    assert mean([D("1"), D("2"), D("2")]) == D("1.67")  # 5/3
    assert mean([]) is None
    # 1.1 in R2: A 38, B 30, C 20 of 40 → lost 120 − 88 = 32 of 120 = 26.666…% → 26.67
    assert loss_rate(D("40"), [D("38"), D("30"), D("20")]) == D("26.67")
    assert loss_rate(D("0"), [D("0")]) is None and loss_rate(D("10"), []) is None
    assert percent(1, 8) == D("12.50") and percent(1, 0) == D("0")
    bins = score_bins(D("100"))
    assert [b.label for b in bins] == ["60以下", "60–65", "65–70", "70–75", "75–80", "80–85", "85–90",
                                       "90–95", "95–100", "100及以上"]
    # lower bound included, upper excluded; negatives and bonus-lifted totals land at the ends
    assert histogram(bins, [D("-2"), D("59.99"), D("60"), D("89.99"), D("90"), D("100"), D("103.5")]) == [
        2, 1, 0, 0, 0, 0, 1, 1, 0, 2]
    assert [b.label for b in score_bins(D("200"))][:2] == ["120以下", "120–130"]
    order = ["好", "较好", "一般", "差"]
    assert (tier_move("较好", "好", order), tier_move("好", "差", order), tier_move("差", "差", order),
            tier_move("优秀", "好", order)) == ("up", "down", "same", "unknown")


def test_worked_example(session, ex):
    dash = round_dashboard(session, ex.leader, ex.r2)
    assert dash.tier_names == ["好", "较好", "一般", "差"]
    assert [(t.category, t.counts, t.total) for t in dash.tiers] == [
        ("机关", {"好": 1, "较好": 1, "一般": 0, "差": 1}, 3),
        ("企业", {"好": 0, "较好": 0, "一般": 0, "差": 1}, 1)]
    hist = {h.label: (h.counts, h.total) for h in dash.histogram}
    assert hist["60以下"] == ({"机关": 1, "企业": 1}, 2)  # C 30, D 0
    assert hist["80–85"] == ({"机关": 1, "企业": 0}, 1)  # B 80
    assert hist["90–95"] == ({"机关": 1, "企业": 0}, 1)  # A 92
    assert sum(h.total for h in dash.histogram) == 4
    # loss rates: 1.1 32/120 = 26.67 %, 1.2 (60−48)/60 = 20 %, 2.1 (80−66)/80 = 17.5 %
    assert [(w.code, w.scored, w.mean, w.loss_rate) for w in dash.weakest] == [
        ("1.1", 3, D("29.33"), D("26.67")), ("1.2", 3, D("16.00"), D("20.00")), ("2.1", 2, D("33.00"), D("17.50"))]
    assert [(g.name, g.targets, g.incomplete, g.mean, g.best, g.worst) for g in dash.groups] == [
        ("第一片组", 2, 0, D("86.00"), D("92.00"), D("80.00")),
        ("第二片组", 2, 2, D("15.00"), D("30.00"), D("0.00"))]
    assert [(p.category, p.targets, p.full, p.partly, p.none) for p in dash.progress] == [
        ("机关", 3, 2, 1, 0), ("企业", 1, 0, 0, 1)]
    assert [(x.code, x.applicable, x.scored, x.missing) for x in dash.leaf_progress] == [
        ("1.1", 4, 3, 1), ("1.2", 4, 3, 1), ("2.1", 4, 2, 2)]
    assert dash.incomplete == 2 and len(dash.notes) == 2


def test_movement_against_previous_round_of_the_family(session, ex):
    assert previous_round(session, ex.leader, ex.r2).id == ex.r1.id  # not X (family T), created later
    assert previous_round(session, ex.leader, ex.r1) is None
    m = round_dashboard(session, ex.leader, ex.r2).movement
    assert (m.previous_code, m.previous_phase) == ("R1", "已定档")
    assert [(r.org_code, r.previous_total, r.total, r.delta, r.previous_tier, r.tier, r.move) for r in m.rows] == [
        ("A", D("80.00"), D("92.00"), D("12.00"), "较好", "好", "up"),
        ("C", D("30.00"), D("30.00"), D("0.00"), "差", "差", "same"),
        ("B", D("90.00"), D("80.00"), D("-10.00"), "好", "较好", "down"),
        ("D", None, D("0.00"), None, "", "差", "new")]
    assert m.summary() == {"上升": 1, "持平": 1, "下降": 1, "新纳入": 1}


def test_final_round_reads_its_snapshot(session, ex):
    from scorecard.services.rounds.ranking import compute_ranking

    report = compute_ranking(session, ex.r1)
    row = next(r for r in report.rows if r.org_code == "A")
    row.total, row.tier = D("99.00"), "好"  # the frozen snapshot wins over live scores
    ex.r1.snapshot = report.to_dict()
    session.commit()
    m = round_dashboard(session, ex.leader, ex.r2).movement
    assert next(r for r in m.rows if r.org_code == "A").previous_total == D("99.00")


def test_selfassess_status_counts_targets(session, ex):
    from scorecard.models import SelfAssessment

    ta, tb = ex.r2.targets[0], ex.r2.targets[1]
    session.add_all([SelfAssessment(target_id=ta.id, status="submitted"),
                     SelfAssessment(target_id=tb.id, status="draft")])
    session.commit()
    sa = round_dashboard(session, ex.leader, ex.r2).selfassess
    assert sa.targets == 4
    assert sa.counts == {"未填报": 2, "填报中": 1, "已提交": 1, "退回修改": 0, "已确认": 0}


@pytest.mark.parametrize("who", ["unit_a", "clerk", "assessor_b"])
def test_service_refuses_units_clerks_and_other_scopes(session, ex, who):
    with pytest.raises(PermissionDenied):
        round_dashboard(session, getattr(ex, who), ex.r2)


def test_groups_in_creation_order_then_ungrouped(session, ex, make):
    from scorecard.services.dashboard.round_dashboard import group_averages
    from scorecard.services.rounds.ranking import compute_ranking

    make.group("第零片组")  # created last: sorts after 第一/第二 although its name sorts first
    report = compute_ranking(session, ex.r2)
    report.rows[0].group = ""
    names = [g.name for g in group_averages(report, ["第一片组", "第二片组", "第零片组"])]
    assert names[-1] == "未分组" and names[:-1] in (["第一片组", "第二片组"], ["第一片组"], ["第二片组"])
    report.rows[0].group = "第零片组"
    assert [g.name for g in group_averages(report, ["第一片组", "第二片组", "第零片组"])][-1] == "第零片组"
