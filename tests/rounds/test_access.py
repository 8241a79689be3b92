"""Every rounds view × every role: who may see what, and the 403s for other units' data."""
from __future__ import annotations

import pytest

from scorecard.models import Adjustment, AuditEntry, Round
from scorecard.services.accounts.security import SECURITY_ENTITIES
from tests.conftest import login
from tests.rounds.conftest import text

ROLES = ["admin", "assessor", "leader", "unit_a", "clerk", "assessor_b", "other_assessor", "assessor_a"]

# GET pages: expected status per role ("ok" = 200)
PAGES = {
    "index": {"admin": 200, "assessor": 200, "leader": 200, "unit_a": 403, "clerk": 403,
              "assessor_b": 200, "other_assessor": 200, "assessor_a": 200},
    "new": {"admin": 403, "assessor": 200, "leader": 403, "unit_a": 403, "clerk": 403,
            "assessor_b": 200, "other_assessor": 200, "assessor_a": 200},
    "show": {"admin": 200, "assessor": 200, "leader": 200, "unit_a": 403, "clerk": 403,
             "assessor_b": 403, "other_assessor": 403, "assessor_a": 200},
    "ranking": {"admin": 200, "assessor": 200, "leader": 200, "unit_a": 403, "clerk": 403,
                "assessor_b": 403, "other_assessor": 403, "assessor_a": 200},
    "target": {"admin": 200, "assessor": 200, "leader": 200, "unit_a": 403, "clerk": 403,
               "assessor_b": 403, "other_assessor": 403, "assessor_a": 200},
    "confirm": {"admin": 403, "assessor": 200, "leader": 403, "unit_a": 403, "clerk": 403,
                "assessor_b": 403, "other_assessor": 403, "assessor_a": 200},
}


def _url(name, w):
    rid, tid = w["round"].id, w["tb"].id
    return {"index": "/rounds/", "new": "/rounds/new", "show": f"/rounds/{rid}",
            "ranking": f"/rounds/{rid}/ranking", "target": f"/rounds/targets/{tid}",
            "confirm": f"/rounds/{rid}/advance/publish"}[name]


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(client, world, role):
    login(client, role)
    for name, expected in PAGES.items():
        resp = client.get(_url(name, world))
        assert resp.status_code == expected[role], (name, role, resp.status_code)
        if expected[role] == 403:
            assert "您没有权限" in text(resp)


def test_anonymous_redirected_to_login(client, world):
    for name in PAGES:
        resp = client.get(_url(name, world))
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


@pytest.mark.parametrize("role", ["unit_a", "clerk", "assessor_b", "other_assessor"])
def test_outsiders_cannot_download_the_ranking(client, world, role):
    login(client, role)
    assert client.get(f"/rounds/{world['round'].id}/ranking.xlsx").status_code == 403


def test_index_lists_only_rounds_in_scope(client, session, make, world):
    other = make.org("GW2-X", "另一工委下属", world["other_root"], "机关")
    theirs = make.round(world["scheme"], other.parent, [other], code="R-OTHER")
    theirs.name = "另一工委的轮次"
    session.commit()
    login(client, "assessor")
    page = text(client.get("/rounds/"))
    assert "R1轮考核" in page and "另一工委的轮次" not in page
    assert "新建考核轮次" in page
    client.post("/logout")
    login(client, "other_assessor")
    page = text(client.get("/rounds/"))
    assert "另一工委的轮次" in page and "R1轮考核" not in page
    assert client.get(f"/rounds/{world['round'].id}").status_code == 403
    client.post("/logout")
    login(client, "leader")
    page = text(client.get("/rounds/"))
    assert "R1轮考核" in page and "新建考核轮次" not in page


POSTS = {
    "advance": lambda w: (f"/rounds/{w['round'].id}/advance/publish", {}),
    "add": lambda w: (f"/rounds/targets/{w['tb'].id}/adjustments",
                      {"add-item": str(w["scheme"].items[0].id), "add-points": "1", "add-reason": "表彰"}),
    "veto": lambda w: (f"/rounds/targets/{w['tb'].id}/veto", {"veto-on": "1", "veto-reason": "严重违纪"}),
    "override": lambda w: (f"/rounds/targets/{w['tb'].id}/override", {"ovr-tier": "差", "ovr-reason": "核查"}),
}


@pytest.mark.parametrize("role", ["admin", "leader", "unit_a", "clerk", "assessor_b", "other_assessor"])
def test_posts_refused_and_nothing_written(client, session, world, role):
    login(client, role)
    for name, build in POSTS.items():
        url, data = build(world)
        assert client.post(url, data=data).status_code == 403, (name, role)
    session.expire_all()
    assert session.get(Round, world["round"].id).phase == "review"
    assert session.query(Adjustment).count() == 0
    assert session.get(type(world["tb"]), world["tb"].id).veto is False
    assert session.query(AuditEntry).filter(AuditEntry.entity.not_in(SECURITY_ENTITIES)).count() == 0


def test_remove_refused_for_other_scope(client, session, world):
    adj = Adjustment(target_id=world["tb"].id, item=world["scheme"].items[0], points=1, reason="表彰",
                     created_by=world["assessor"])
    session.add(adj)
    session.commit()
    login(client, "other_assessor")
    url = f"/rounds/targets/{world['tb'].id}/adjustments/{adj.id}/remove"
    assert client.post(url, data={f"rm{adj.id}-reason": "错误"}).status_code == 403
    session.expire_all()
    assert session.get(Adjustment, adj.id) is not None


def test_home_unit_assessor_neither_sees_nor_adjusts(client, session, world):
    """Conflict of interest covers reading: while scores are in progress the home unit's page is
    403 with the reason (its in-progress scores are not shown)."""
    login(client, "assessor_a")
    resp = client.get(f"/rounds/targets/{world['ta'].id}")
    assert resp.status_code == 403
    page = text(resp)
    assert "您所在单位需回避：结果公布前不能查看其评分" in page
    assert "add-form" not in page and "veto-form" not in page and "override-form" not in page
    # ...while the other unit of the same round stays adjustable for them
    assert "add-form" in text(client.get(f"/rounds/targets/{world['tb'].id}"))
    for url, data in [
        (f"/rounds/targets/{world['ta'].id}/adjustments",
         {"add-item": str(world["scheme"].items[0].id), "add-reason": "表彰"}),
        (f"/rounds/targets/{world['ta'].id}/veto", {"veto-on": "1", "veto-reason": "违纪"}),
        (f"/rounds/targets/{world['ta'].id}/override", {"ovr-tier": "好", "ovr-reason": "核查"}),
    ]:
        assert client.post(url, data=data).status_code == 403
    session.expire_all()
    assert session.query(Adjustment).count() == 0
    assert session.get(type(world["ta"]), world["ta"].id).tier_override is None


def test_read_only_roles_get_no_forms_or_phase_buttons(client, world):
    login(client, "leader")
    page = text(client.get(f"/rounds/targets/{world['tb'].id}"))
    assert "add-form" not in page and "veto-form" not in page
    show = text(client.get(f"/rounds/{world['round'].id}"))
    assert "发布公示" not in show and "定档</a>" not in show
    assert "查看排名" in show


def test_unknown_objects_404(client, world):
    login(client, "assessor")
    assert client.get("/rounds/9999").status_code == 404
    assert client.get("/rounds/9999/ranking").status_code == 404
    assert client.get("/rounds/targets/9999").status_code == 404
    assert client.get(f"/rounds/{world['round'].id}/advance/explode").status_code == 404
