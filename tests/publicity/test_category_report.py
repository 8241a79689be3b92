"""A report for one category (what the ranking, target and score-card pages ask for) has exactly
the rows the whole round's report has for that category: the same ranks, tiers, leaf scores with
votes, verification and appeals applied, adjustments and deductions, live and after 定档."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict

import pytest

from scorecard.services.publicity import appeals
from scorecard.services.rounds import adjustments
from scorecard.services.rounds import lifecycle as rounds
from scorecard.services.rounds.ranking import ranking_for
from scorecard.services.scoring import verification, votes
from scorecard.services.scoring.scores import save_score
from scorecard.services.scoring.verification import SampledLeaf
from scorecard.services.scoring.votes import GridRow
from tests.finalizing import finalize
from tests.conftest import login

from .conftest import LEAVES, TODAY, D

CATEGORIES = ("机关", "事业")


@pytest.fixture
def r(make, session):
    w = make.world()
    c = make.org("C", "丙中心党委", w["root"], "事业", "第二片组")
    d = make.org("D", "丁中心党委", w["root"], "事业", "第二片组")
    scheme = make.scheme(leaves=LEAVES, categories=CATEGORIES, bonus_cap=D("3"))
    rnd = make.round(scheme, w["root"], [w["a"], c, w["b"], d])
    leaf = {i.code: i for i in scheme.indicators if i.parent_id is not None}
    for t, v in zip(rnd.targets, ("38", "30", "30", "25")):
        save_score(session, w["assessor"], t, leaf["1.1"], {"value": v}, check_version=False)
        save_score(session, w["assessor"], t, leaf["1.2"],
                   {"deductions": [{"times": "1", "reason": f"{t.org.code}缺会议记录"}]}, check_version=False)
        save_score(session, w["assessor"], t, leaf["2.1"], {"level": "好"}, check_version=False)
        save_score(session, w["assessor"], t, leaf["2.2"], {"points": "10"}, check_version=False)
    ta, tc, tb, td = rnd.targets
    votes.save_grid(session, w["assessor"], ta, [GridRow("评委1", {"2.2": "满意"}), GridRow("评委2", {"2.2": "不满意"})])
    verification.record_visit(session, w["assessor"], tc, dt.date(2025, 11, 20), "张三", "",
                              [SampledLeaf(leaf["1.1"], "36", "台账不全")], today=TODAY)
    bonus = next(i for i in scheme.items if i.kind == "bonus")
    adjustments.add_adjustment(session, w["assessor"], tb, bonus, bonus.points, "获市级表彰")
    adjustments.add_adjustment(session, w["assessor"], td, bonus, bonus.points, "获省级表彰")
    session.commit()
    return {**w, "round": rnd, "leaf": leaf, "targets": (ta, tc, tb, td)}


def _assert_parts_match(session, rnd):
    whole = ranking_for(session, rnd)
    assert whole.categories == list(CATEGORIES)
    ids_of: dict[int, set[int]] = {}
    for t in rnd.targets:
        ids_of.setdefault(t.category_id, set()).add(t.id)
    for category_id, ids in ids_of.items():
        part = ranking_for(session, rnd, category_id=category_id)
        name = next(x.category for x in whole.rows if x.target_id in ids)
        assert part.categories == [name]
        assert [asdict(x) for x in part.rows] == [asdict(x) for x in whole.rows_of(name)]
        assert {x.target_id for x in part.rows} == ids
        assert part.adjustments == [a for a in whole.adjustments if a.category == name]
        assert part.deductions == [x for x in whole.deductions if x.category == name]
        assert part.rows and part.adjustments and part.deductions
        assert (part.tops, part.leaves, part.full_marks) == (whole.tops, whole.leaves, whole.full_marks)
    return whole


def test_category_report_equals_whole_report_rows(session, r):
    whole = _assert_parts_match(session, r["round"])
    notes = " ".join(n for row in whole.rows for n in row.notes)
    assert "实地核验 1.1" in notes  # the sources really are in play


def test_category_report_after_appeal_and_finalize(session, r):
    rnd, (ta, tc, tb, td) = r["round"], r["targets"]
    rounds.advance(session, r["assessor"], rnd, "publish", today=TODAY)
    appeal = appeals.submit(session, r["unit_b"], tb, r["leaf"]["1.1"], "已按要求完成第一议题学习", TODAY)
    appeals.answer(session, r["assessor"], appeal, "changed", "40", "补充材料属实")
    whole = _assert_parts_match(session, rnd)
    assert "申诉复核 1.1 第一议题：30.00→40.00" in next(x for x in whole.rows if x.target_id == tb.id).notes
    finalize(session, r["assessor"], rnd)
    session.commit()
    # the frozen snapshot keeps its own names: rename a category, the parts still match the snapshot
    tc.category.name = "事业单位"
    session.flush()
    frozen = _assert_parts_match(session, rnd)
    assert frozen.final and frozen.categories == list(CATEGORIES)


def test_ranking_page_tabs_and_one_category(client, session, r):
    rnd = r["round"]
    login(client, "leader")
    page = client.get(f"/rounds/{rnd.id}/ranking").get_data(as_text=True)
    assert "机关（2）" in page and "事业（2）" in page
    assert "甲局机关党委" in page and "丙中心党委" not in page
    cid = r["targets"][1].category_id
    page = client.get(f"/rounds/{rnd.id}/ranking?category={cid}").get_data(as_text=True)
    assert "丙中心党委" in page and "丁中心党委" in page and "甲局机关党委" not in page
    assert client.get(f"/rounds/{rnd.id}/ranking?category=999999").status_code == 404



def test_round_page_shows_one_category_per_request(client, session, r):
    rnd, (ta, tc, tb, td) = r["round"], r["targets"]
    login(client, "assessor")
    page = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    assert "<dt>考核对象</dt><dd>4 个</dd>" in page
    assert "机关（2）" in page and "事业（2）" in page
    assert "甲局机关党委" in page and "乙局机关党委" in page and "丙中心党委" not in page
    assert "全部考核员已评 <strong class=\"all\">8 / 8</strong>" in page  # 2 targets × 4 leaves
    page = client.get(f"/rounds/{rnd.id}?category={tc.category_id}").get_data(as_text=True)
    assert "丙中心党委" in page and "丁中心党委" in page and "甲局机关党委" not in page
    assert f"/rounds/{rnd.id}/grid/{tc.category_id}" in page
    assert client.get(f"/rounds/{rnd.id}?category=999999").status_code == 404
