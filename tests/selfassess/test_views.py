"""Self-assessment pages: the unit fills, uploads, cites and submits; the assessor reviews;
permissions per role (other unit → 403); progress overview and deadlines."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from scorecard.models import AuditEntry, Evidence, SelfItem
from scorecard.services.selfassess import fill as selfassess
from tests.conftest import login
from tests.evidence import samples
from tests.selfassess.conftest import fill_all


@pytest.fixture
def sxs(sx, app):
    app.extensions["scorecard.storage"] = sx.store
    return sx


def post_item(client, sx, code, data, files=None):
    data = dict(data)
    if files:
        data.update(files)
    return client.post(f"/self/targets/{sx.ta.id}/items/{code}", data=data,
                       content_type="multipart/form-data")


def test_unit_list_and_page(client, sxs):
    login(client, "unit_a")
    html = client.get("/self").get_data(as_text=True)
    assert "甲局机关党委" in html and "甲局第一党支部" in html and "乙局机关党委" not in html
    page = client.get(f"/self/targets/{sxs.ta.id}").get_data(as_text=True)
    assert "第一议题" in page and "须提供佐证材料" in page and 'name="level"' in page
    assert 'name="new_file"' in page


def test_save_with_upload_and_citation(client, session, sxs):
    login(client, "unit_a")
    resp = post_item(client, sxs, "1.2", {"d_times": "1", "d_reason": "缺一次", "narrative": "说明", "version": "",
                                          "new_title": "支部会议记录"},
                     {"new_file": (io.BytesIO(samples.pdf()), "三会一课记录.pdf")})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    item = session.scalars(select(SelfItem)).one()
    assert str(item.points) == "18.00"
    (cit,) = selfassess.citations(session, item)
    assert cit.evidence.title == "支部会议记录" and cit.evidence.original_name == "三会一课记录.pdf"
    # the same file again in another item: recognised, cited, not stored twice
    resp = post_item(client, sxs, "1.1", {"value": "30", "version": ""},
                     {"new_file": (io.BytesIO(samples.pdf()), "副本.pdf")})
    assert resp.status_code == 302
    assert session.scalar(select(func.count()).select_from(Evidence)) == 1
    assert len(list(sxs.store.root.rglob("*.pdf"))) == 1
    follow = client.get(f"/self/targets/{sxs.ta.id}").get_data(as_text=True)
    assert "支部会议记录" in follow


def test_bad_upload_keeps_input_and_writes_nothing(client, session, sxs):
    login(client, "unit_a")
    resp = post_item(client, sxs, "1.1", {"value": "33", "narrative": "我的说明", "version": ""},
                     {"new_file": (io.BytesIO(samples.exe()), "汇报.pdf")})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "识别为 exe" in html and "我的说明" in html and 'value="33"' in html
    assert session.scalar(select(func.count()).select_from(SelfItem)) == 0
    assert session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_stale_save_keeps_what_was_typed(client, session, sxs):
    # two people of the unit opened the item; the first save wins, the second gets 409 on the
    # page with its own input still in the form (not an error page that loses the text)
    login(client, "unit_a")
    assert post_item(client, sxs, "1.1", {"value": "30", "narrative": "第一次", "version": ""}).status_code == 302
    resp = post_item(client, sxs, "1.1", {"value": "28", "narrative": "我后来写的说明", "version": ""})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "我后来写的说明" in html and 'value="28"' in html
    item = session.scalars(select(SelfItem)).one()
    assert str(item.points) == "30.00" and item.narrative == "第一次"


def test_out_of_range_score_is_refused(client, session, sxs):
    login(client, "unit_a")
    resp = post_item(client, sxs, "1.1", {"value": "45", "version": ""})
    assert resp.status_code == 400 and "1.1 第一议题" in resp.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(SelfItem)) == 0


def test_submit_lists_missing_items(client, sxs):
    login(client, "unit_a")
    resp = client.post(f"/self/targets/{sxs.ta.id}/submit")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "1.1 第一议题：未填写自评分" in html


def test_review_return_and_resubmit_via_views(client, session, sxs):
    items, _ = fill_all(sxs, session)
    session.commit()
    login(client, "unit_a")
    assert client.post(f"/self/targets/{sxs.ta.id}/submit").status_code == 302
    client.post("/logout")
    login(client, "assessor")
    page = client.get(f"/self/targets/{sxs.ta.id}").get_data(as_text=True)
    assert "退回修改" in page and "认定不相关" in page
    resp = client.post(f"/self/items/{items['1.1'].id}/return", data={"reason": ""})
    assert resp.status_code == 400 and "退回理由" in resp.get_data(as_text=True)
    assert client.post(f"/self/items/{items['1.1'].id}/return", data={"reason": "请补充学习记录"}).status_code == 302
    assert client.post(f"/self/items/{items['2.1'].id}/confirm").status_code == 302
    client.post("/logout")
    login(client, "unit_a")
    page = client.get(f"/self/targets/{sxs.ta.id}").get_data(as_text=True)
    assert "考核员退回：请补充学习记录" in page
    session.expire_all()
    version = session.get(SelfItem, items["1.1"].id).version
    assert post_item(client, sxs, "1.1", {"value": "36", "narrative": "已补充", "version": str(version)}).status_code == 302
    assert client.post(f"/self/targets/{sxs.ta.id}/submit").status_code == 302
    session.expire_all()
    assert session.get(SelfItem, items["1.1"].id).status == "submitted"
    page = client.get(f"/self/targets/{sxs.ta.id}").get_data(as_text=True)
    assert "修改记录（5）" in page and "重新提交" in page


@pytest.mark.parametrize("who, target, code", [
    ("unit_a", "ta", 200), ("unit_a", "ta1", 200), ("unit_a", "tb", 403), ("unit_b", "ta", 403),
    ("assessor", "ta", 200), ("assessor_a", "ta", 403), ("leader", "ta", 200), ("clerk", "ta", 403),
])
def test_page_access_matrix(client, sxs, who, target, code):
    login(client, who)
    assert client.get(f"/self/targets/{getattr(sxs, target).id}").status_code == code


@pytest.mark.parametrize("who", ["unit_b", "assessor", "leader", "admin"])
def test_others_cannot_save_or_submit(client, session, sxs, who):
    login(client, who)
    assert post_item(client, sxs, "1.1", {"value": "30", "version": ""}).status_code == 403
    assert client.post(f"/self/targets/{sxs.ta.id}/submit").status_code == 403
    assert session.scalar(select(func.count()).select_from(SelfItem)) == 0


@pytest.mark.parametrize("who, code", [("unit_a", 403), ("unit_b", 403), ("assessor_a", 403), ("leader", 403)])
def test_only_free_assessors_review(client, session, sxs, who, code):
    items, _ = fill_all(sxs, session)
    selfassess.submit(session, sxs.unit_a, sxs.ta, today=sxs.today)
    session.commit()
    login(client, who)
    assert client.post(f"/self/items/{items['1.1'].id}/return", data={"reason": "x"}).status_code == code
    assert client.post(f"/self/items/{items['1.1'].id}/confirm").status_code == code
    session.expire_all()
    assert session.get(SelfItem, items["1.1"].id).status == "submitted"


def test_progress_and_overdue_page(client, session, sxs):
    fill_all(sxs, session)
    selfassess.submit(session, sxs.unit_a, sxs.ta, today=sxs.today)
    session.commit()
    login(client, "assessor")
    resp = client.post(f"/rounds/{sxs.rnd.id}/deadlines", data={"self_deadline": "2000-01-01", "review_deadline": "1999-01-01"})
    assert resp.status_code == 400 and "审核截止日期不能早于自评截止日期" in resp.get_data(as_text=True)
    resp = client.post(f"/rounds/{sxs.rnd.id}/deadlines", data={"self_deadline": "2000-01-01"})
    assert resp.status_code == 302
    html = client.get(f"/rounds/{sxs.rnd.id}/self-progress").get_data(as_text=True)
    assert "逾期未提交提醒（2）" in html and "乙局机关党委" in html
    assert '<td class="num st-submitted">1</td>' in html and '<td class="num st-not_started">2</td>' in html
    row = session.scalars(select(AuditEntry).where(AuditEntry.action == "deadlines")).one()
    assert row.new == {"self": "2000-01-01", "review": None}
    # reopen for B with a reason; B leaves the overdue list
    assert client.post(f"/self/targets/{sxs.tb.id}/reopen", data={"reason": ""}).status_code == 400
    assert client.post(f"/self/targets/{sxs.tb.id}/reopen", data={"reason": "网络故障"}).status_code == 302
    html = client.get(f"/rounds/{sxs.rnd.id}/self-progress").get_data(as_text=True)
    assert "逾期未提交提醒（1）" in html


@pytest.mark.parametrize("who, code", [("assessor", 200), ("leader", 200), ("admin", 200),
                                       ("unit_a", 403), ("clerk", 403)])
def test_progress_access(client, sxs, who, code):
    login(client, who)
    assert client.get(f"/rounds/{sxs.rnd.id}/self-progress").status_code == code


def test_deadline_closed_page_for_unit(client, session, sxs):
    sxs.rnd.self_deadline = dt.date(2000, 1, 1)
    session.commit()
    login(client, "unit_a")
    html = client.get(f"/self/targets/{sxs.ta.id}").get_data(as_text=True)
    assert "自评填报已截止" in html
    resp = post_item(client, sxs, "1.1", {"value": "30", "version": ""})
    assert resp.status_code == 400 and "2000年01月01日截止" in resp.get_data(as_text=True)


def test_unit_home_points_to_self_assessment(client, sxs):
    login(client, "unit_a")
    html = client.get("/").get_data(as_text=True)
    assert "进入自评填报" in html and 'href="/self"' in html and 'href="/evidence/"' in html


def test_score_page_and_self_page_link_each_other(client, sxs):
    login(client, "assessor")
    assert f'href="/self/targets/{sxs.ta.id}"' in client.get(f"/targets/{sxs.ta.id}/scores").get_data(as_text=True)
    assert f'href="/targets/{sxs.ta.id}/scores"' in client.get(f"/self/targets/{sxs.ta.id}").get_data(as_text=True)


def test_review_after_the_review_deadline_is_refused(client, session, sxs):
    items, _ = fill_all(sxs, session)
    selfassess.submit(session, sxs.unit_a, sxs.ta, today=sxs.today)
    sxs.rnd.review_deadline = dt.date(2000, 1, 1)
    session.commit()
    login(client, "assessor")
    resp = client.post(f"/self/items/{items['1.1'].id}/return", data={"reason": "请补充学习记录"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "审核截止日期为2000-01-01，已过期，不能再审核" in html
    assert "请补充学习记录" in html  # what was typed is shown again
    assert client.post(f"/self/items/{items['2.1'].id}/confirm").status_code == 400
    session.expire_all()
    assert {session.get(SelfItem, i.id).status for i in items.values()} == {"submitted"}
    # the round's assessor moves the deadline on the same page, then may review
    assert client.post(f"/rounds/{sxs.rnd.id}/deadlines", data={"review_deadline": "2099-12-31"}).status_code == 302
    assert client.post(f"/self/items/{items['2.1'].id}/confirm").status_code == 302
    session.expire_all()
    assert session.get(SelfItem, items["2.1"].id).status == "confirmed"
