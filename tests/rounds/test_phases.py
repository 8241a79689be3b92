"""The round overview (progress counts, links) and phase transitions with a confirm step."""
from __future__ import annotations

import re

from sqlalchemy import select

from scorecard.models import AuditEntry, Round
from tests.conftest import login
from tests.rounds.conftest import Tables, score, text


def _progress(page: str, category: str = "机关") -> dict:
    section = page.split(f"<h2>{category}</h2>", 1)[1].split("</section>", 1)[0]
    found = {k: re.search(rf'class="{k}">(\d+) / (\d+)<', section) for k in ("mine", "all")}
    return {k: (int(m.group(1)), int(m.group(2))) if m else None for k, m in found.items()}


def test_show_counts_cells_per_category(client, session, make, world):
    second = make.user("assessor2", "assessor", world["root"])
    for code, value in (("1.1", "38"), ("1.2", 1), ("2.1", "好")):
        score(session, world["assessor"], world["ta"], code, value)
    score(session, second, world["tb"], "1.1", "30")
    session.commit()
    login(client, "assessor")
    page = text(client.get(f"/rounds/{world['round'].id}"))
    assert _progress(page) == {"mine": (3, 6), "all": (4, 6)}
    rows = {r[0]: r for r in Tables(page).with_class("targets")[0]["rows"]}
    assert rows["A"][2:4] == ["3 / 3", "3 / 3"] and rows["B"][2:4] == ["0 / 3", "1 / 3"]
    client.post("/logout")
    login(client, "assessor2")
    assert _progress(text(client.get(f"/rounds/{world['round'].id}"))) == {"mine": (1, 6), "all": (4, 6)}
    client.post("/logout")
    login(client, "leader")
    page = text(client.get(f"/rounds/{world['round'].id}"))
    assert _progress(page) == {"mine": None, "all": (4, 6)}


def test_show_links_for_assessor(client, session, world):
    login(client, "assessor")
    rid, cat = world["round"].id, world["a"].category_id
    page = text(client.get(f"/rounds/{rid}"))
    assert f'href="/rounds/{rid}/grid/{cat}"' in page
    for t in (world["ta"], world["tb"]):
        assert f'href="/targets/{t.id}/scores"' in page
        assert f'href="/rounds/targets/{t.id}"' in page
    assert f'href="/rounds/{rid}/scores/template.xlsx"' in page
    assert f'href="/rounds/{rid}/scores/import"' in page
    assert f'href="/rounds/{rid}/ranking.xlsx"' in page
    assert f'href="/schemes/{world["scheme"].id}"' in page
    assert 'class="step current">2. 审核评分' in page and 'class="step done">1. 自评填报' in page
    # review goes to 公示, never straight to 定档 (units could not appeal) nor back to 审核评分
    assert f'/rounds/{rid}/advance/publish"' in page and f'/rounds/{rid}/advance/finalize"' not in page
    assert "advance/start_review" not in page


def test_home_unit_assessor_has_no_score_link_for_it(client, world):
    login(client, "assessor_a")
    page = text(client.get(f"/rounds/{world['round'].id}"))
    assert f'href="/targets/{world["ta"].id}/scores"' not in page
    assert f'href="/targets/{world["tb"].id}/scores"' in page
    assert "所在单位回避" in page


def _advance(client, rid, action, follow=True, **data):
    return client.post(f"/rounds/{rid}/advance/{action}", data=data, follow_redirects=follow)


def test_full_cycle_with_confirm_pages(client, session, make, world):
    rnd = make.round(world["scheme"], world["root"], [world["a"], world["b"]], code="R2", phase="self")
    session.commit()
    login(client, "assessor")
    confirm = text(client.get(f"/rounds/{rnd.id}/advance/start_review"))
    assert "确认开始审核评分" in confirm and "尚有 6 个应评指标未评分" in confirm
    assert 'method="post"' in confirm
    assert "已开始审核评分，当前阶段：审核评分" in text(_advance(client, rnd.id, "start_review"))
    assert "当前阶段为“审核评分”，不能定档" in text(_advance(client, rnd.id, "finalize"))  # 公示 first
    assert "已发布公示，当前阶段：公示" in text(_advance(client, rnd.id, "publish"))
    confirm = text(client.get(f"/rounds/{rnd.id}/advance/finalize"))
    assert "定档后冻结快照" in confirm and "尚未期满" in confirm and 'name="early_reason"' in confirm
    # the window (today + 6 days) is open: no 定档 without the reason for closing it early
    resp = _advance(client, rnd.id, "finalize", follow=False, early_reason="  ")
    assert resp.status_code == 400 and "尚未期满，不能定档" in text(resp)
    session.expire_all()
    assert session.get(Round, rnd.id).phase == "publicity"
    page = text(_advance(client, rnd.id, "finalize", early_reason="市委督查时间提前，经部务会研究提前结束公示"))
    assert "已定档，当前阶段：已定档" in page and "已定档，数据已冻结" in page
    assert "提前结束公示" in page and "市委督查时间提前，经部务会研究提前结束公示" in page
    assert "/advance/" not in page  # no more phase buttons
    session.expire_all()
    rnd = session.get(Round, rnd.id)
    assert rnd.phase == "final" and rnd.snapshot and rnd.finalized_at and rnd.published_at
    actions = session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity == "round", AuditEntry.entity_id == rnd.id).order_by(AuditEntry.id)).all()
    assert actions == ["start_review", "publish", "close_publicity_early", "finalize"]
    early = session.scalars(select(AuditEntry).where(AuditEntry.action == "close_publicity_early")).one()
    assert early.reason == "市委督查时间提前，经部务会研究提前结束公示"
    assert rnd.publicity_close_reason == early.reason and rnd.publicity_closed_on == rnd.publicity_start


def test_refused_transitions_show_messages(client, session, make, world):
    rnd = make.round(world["scheme"], world["root"], [world["a"]], code="R3", phase="self")
    session.commit()
    login(client, "assessor")
    page = text(_advance(client, rnd.id, "finalize"))
    assert "当前阶段为“自评填报”，不能定档" in page
    resp = client.get(f"/rounds/{rnd.id}/advance/finalize", follow_redirects=True)
    assert "当前阶段为“自评填报”，不能定档" in text(resp)
    _advance(client, rnd.id, "publish")  # 自评填报 → 公示 directly is allowed
    page = text(_advance(client, rnd.id, "start_review"))
    assert "当前阶段为“公示”，不能开始审核评分" in page
    _advance(client, rnd.id, "finalize", early_reason="提前结束")
    page = text(_advance(client, rnd.id, "finalize"))
    assert "当前阶段为“已定档”，不能定档" in page
    session.expire_all()
    assert session.get(Round, rnd.id).phase == "final"
    assert session.query(AuditEntry).filter_by(entity="round", entity_id=rnd.id).count() == 3


def test_admin_and_leader_cannot_change_phase(client, session, world):
    for user in ("admin", "leader"):
        login(client, user)
        assert _advance(client, world["round"].id, "publish", follow=False).status_code == 403
        client.post("/logout")
    session.expire_all()
    assert session.get(Round, world["round"].id).phase == "review"
