"""Role × action matrix for the publicity predicates and routes: own unit, other unit (403),
subtree, and the assessor whose home unit is the target (refused)."""
from __future__ import annotations

import datetime as dt

import pytest

from scorecard.models import RoundTarget
from scorecard.services import permissions as p
from scorecard.services.rounds import lifecycle as rounds
from tests.conftest import login

from .conftest import leaf

TODAY = dt.date.today()
ROLES = ["admin", "assessor", "assessor_a", "other_assessor", "leader", "unit_a", "unit_a1", "unit_b", "clerk"]

# predicate → roles allowed on target A (phase 审核评分; for appeal/answer: 公示)
REVIEW = {
    "can_verify": {"assessor"},
    "can_enter_votes": {"assessor"},
    "can_view_votes": {"assessor"},
    "can_nominate": {"unit_a"},
    "can_decide_nomination": {"assessor"},
    "can_view_result": {"admin", "assessor", "assessor_a", "leader"},
}
PUBLICITY = {
    "can_answer_appeal": {"assessor"},
    "can_view_result": {"admin", "assessor", "assessor_a", "leader", "unit_a"},
    "can_verify": set(),
    "can_enter_votes": set(),
    "can_nominate": set(),
}


@pytest.mark.parametrize("name", sorted(REVIEW))
def test_matrix_in_review(w, name):
    allowed = {r for r in ROLES if getattr(p, name)(w[r], w["ta"])}
    assert allowed == REVIEW[name]


@pytest.mark.parametrize("name", sorted(PUBLICITY))
def test_matrix_in_publicity(session, w, name):
    rounds.advance(session, w["assessor"], w["round"], "publish", today=TODAY)
    allowed = {r for r in ROLES if getattr(p, name)(w[r], w["ta"])}
    assert allowed == PUBLICITY[name]


def test_appeal_matrix_and_window(session, w):
    rounds.advance(session, w["assessor"], w["round"], "publish", today=TODAY)
    assert {r for r in ROLES if p.can_appeal(w[r], w["ta"], TODAY)} == {"unit_a"}
    assert not p.can_appeal(w["unit_a"], w["ta"], TODAY + dt.timedelta(days=7))
    assert not p.can_appeal(w["unit_a"], w["ta"], TODAY - dt.timedelta(days=1))


def test_subtree_unit_sees_branch_target(session, make, w):
    """A unit whose scope is A also covers A's branch A-1; A-1's own secretary does not see A."""
    w["a1"].category = w["a"].category
    t = RoundTarget(org=w["a1"], category=w["a"].category)
    w["round"].targets.append(t)
    session.flush()
    assert p.can_nominate(w["unit_a"], t) and p.can_nominate(w["unit_a1"], t)
    assert not p.can_nominate(w["unit_a1"], w["ta"])
    assert not p.can_verify(w["assessor_a"], t)  # home unit A covers its branch


ROUTES_GET = [
    ("/publicity/targets/{ta}", {"admin", "assessor", "assessor_a", "leader", "unit_a"}),
    ("/publicity/targets/{ta}/verify", {"assessor"}),
    ("/publicity/targets/{ta}/votes", {"assessor"}),
    ("/publicity/rounds/{round}", {"assessor", "assessor_a"}),
    ("/publicity/rounds/{round}/votes/import", {"assessor", "assessor_a"}),
    ("/publicity/", {"unit_a", "unit_a1", "unit_b"}),
]


@pytest.mark.parametrize("who", ROLES)
def test_routes_by_role(client, session, w, who):
    ids = {"ta": w["ta"].id, "round": w["round"].id}
    login(client, who)
    for url, allowed in ROUTES_GET:
        status = client.get(url.format(**ids)).status_code
        assert status == (200 if who in allowed else 403), (url, who, status)


@pytest.mark.parametrize("who", ["unit_b", "leader", "assessor_a", "other_assessor", "clerk"])
def test_posts_refused_for_others(client, session, w, who):
    """Other unit, read-only roles and the home-unit assessor: 403 and nothing written."""
    from scorecard.models import Appeal, Nomination, PanelVote, VerificationVisit

    bonus = next(i for i in w["scheme"].items if i.kind == "bonus")
    login(client, who)
    ta = w["ta"].id
    posts = [
        (f"/publicity/targets/{ta}/nominations", {"item": str(bonus.id), "title": "x", "claimed": "1"}),
        (f"/publicity/targets/{ta}/verify", {"visit_date": "2025-11-01", "team": "x", "sample-1.1": "1"}),
        (f"/publicity/targets/{ta}/votes", {"rows": "1", "rater-0": "x", "vote-0-2.2": "满意"}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 403, (url, who)
    rounds.advance(session, w["assessor"], w["round"], "publish", today=TODAY)
    session.commit()
    resp = client.post(f"/publicity/targets/{ta}/appeals", data={"indicator": str(leaf(w, "1.1").id), "reason": "x"})
    assert resp.status_code == 403
    for model in (Appeal, Nomination, PanelVote, VerificationVisit):
        assert session.query(model).count() == 0


def test_home_unit_assessor_not_offered_actions(client, session, w):
    login(client, "assessor_a")
    page = client.get(f"/publicity/rounds/{w['round'].id}").get_data(as_text=True)
    assert f'/publicity/targets/{w["ta"].id}/verify' not in page
    assert f'/publicity/targets/{w["tb"].id}/verify' in page
    assert "所在单位，需回避" in page
