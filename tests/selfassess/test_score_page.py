"""The assessor's per-target score page shows the unit's submitted self-assessment beside each
leaf (self-score, narrative, cited evidence links), read-only; drafts stay private; units
still cannot open the assessor's page."""
from __future__ import annotations

import re

import pytest

from scorecard.services.selfassess import fill as selfassess
from scorecard.services.selfassess import review
from scorecard.services.scoring.self_beside import self_beside
from tests.conftest import login
from tests.selfassess.conftest import FULL, fill_all


def submitted(sx, session):
    _, ev = fill_all(sx, session)
    selfassess.submit(session, sx.unit_a, sx.ta, today=sx.today)
    session.commit()
    return ev


def leaf_html(html: str, code: str) -> str:
    start = html.index(f'id="leaf-{code}"')
    end = html.find("<article", start)
    return html[start:end if end > 0 else len(html)]


def test_assessor_sees_self_assessment_beside_inputs(client, session, sx):
    ev = submitted(sx, session)
    login(client, "assessor")
    resp = client.get(f"/targets/{sx.ta.id}/scores")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    first = leaf_html(html, "1.1")
    assert 'class="self-beside"' in first
    assert re.search(r'class="self-points">38\.00</strong>', first)
    assert "1.1情况说明" in first and "已提交" in first
    deduct = leaf_html(html, "1.2")
    assert f'/evidence/{ev.id}/' in deduct and ev.title in deduct
    assert 'name="value"' in first  # the assessor's own input is still there, empty
    assert "self-points" not in html.split('id="leaf-1.1"')[0]


def test_returned_and_rejected_shown_drafts_hidden(client, session, sx):
    ev = submitted(sx, session)
    items = selfassess.items(session, sx.ta)
    review.return_item(session, sx.assessor, items[sx.leaf["1.1"].id], "请补充人数")
    (cit,) = selfassess.citations(session, items[sx.leaf["1.2"].id])
    review.reject_evidence(session, sx.assessor, items[sx.leaf["1.2"].id], cit, "与本项无关")
    # B only saves a draft: nothing of it is shown to the assessor
    selfassess.save_item(session, sx.unit_b, sx.tb, sx.leaf["1.1"], FULL["1.1"], narrative="乙的草稿",
                         check_version=False, today=sx.today)
    session.commit()
    login(client, "assessor")
    html = client.get(f"/targets/{sx.ta.id}/scores").get_data(as_text=True)
    assert "退回修改" in leaf_html(html, "1.1")
    deduct = leaf_html(html, "1.2")
    assert 'class="rejected"' in deduct and "不相关" in deduct and ev.title in deduct
    other = client.get(f"/targets/{sx.tb.id}/scores").get_data(as_text=True)
    assert "self-beside" not in other and "乙的草稿" not in other


def test_self_beside_is_permission_checked(session, sx):
    submitted(sx, session)
    mine = self_beside(session, sx.assessor, sx.ta)
    assert {sx.leaf[c].id for c in FULL} == set(mine)
    assert all(may for v in mine.values() for _, may in v.evidence)
    assert self_beside(session, sx.unit_b, sx.ta) == {}  # other unit
    assert self_beside(session, sx.assessor_a, sx.ta) == {}  # home unit: 回避


@pytest.mark.parametrize("who", ["unit_a", "unit_b", "clerk"])
def test_units_still_cannot_open_the_assessor_page(client, session, sx, who):
    submitted(sx, session)
    login(client, who)
    assert client.get(f"/targets/{sx.ta.id}/scores").status_code == 403
    assert client.post(f"/targets/{sx.ta.id}/scores", data={"leaf": "1.1", "value": "40"}).status_code == 403
