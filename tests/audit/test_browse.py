"""Browsing the audit log: filters (entity, user, round, dates, free text), pagination,
bad filter input, and admin-only access."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from scorecard.models import AuditEntry
from scorecard.services import audit
from scorecard.services.audit import AuditFilter, search
from scorecard.services.errors import PermissionDenied
from tests.conftest import login


def _ids(page):
    return [e.id for e in page.entries]


def _find(session, w, **kw):
    return _ids(search(session, w["admin"], AuditFilter(**kw)))


def test_filters_by_entity_user_round_dates_and_text(session, logged):
    w, e = logged, logged["entries"]
    ids = [x.id for x in e]
    assert _find(session, w) == ids[::-1]  # newest first
    assert _find(session, w, entity="round_target") == [ids[2], ids[1]]
    assert _find(session, w, user_id=w["admin"].id) == [ids[4], ids[3]]
    assert _find(session, w, round_id=w["round"].id) == [ids[1], ids[0]]
    # round 2 entries: the override (round_id given) and the import (implied by entity "round")
    assert _find(session, w, round_id=w["round2"].id) == [ids[5], ids[2]]
    # dates are inclusive days: 3 March 23:59 is in, 4 March 00:00 is out
    assert _find(session, w, date_from=dt.date(2025, 3, 2), date_to=dt.date(2025, 3, 3)) == [ids[2], ids[1]]
    assert _find(session, w, date_from=dt.date(2025, 4, 1)) == [ids[5], ids[4]]
    assert _find(session, w, date_to=dt.date(2025, 3, 1)) == [ids[0]]
    # free text: reason, Chinese inside the JSON old/new values, numbers, action names
    assert _find(session, w, text="严重违纪") == [ids[1]]
    assert _find(session, w, text="机关党建考核方案") == [ids[3]]
    assert _find(session, w, text="旧名称") == [ids[3]]
    assert _find(session, w, text="85") == [ids[4]]
    assert _find(session, w, text="override_tier") == [ids[2]]
    assert _find(session, w, text="%") == []  # LIKE wildcards are literal
    # filters combine
    assert _find(session, w, entity="round_target", user_id=w["assessor_a"].id, text="集体") == [ids[2]]


def test_pagination(session, logged):
    w = logged
    for i in range(120):
        audit.record(session, w["admin"], "update", "indicator", i, old={"n": i}, new={"n": i + 1})
    session.commit()
    first = search(session, w["admin"], AuditFilter(entity="indicator"), page=1)
    assert (first.total, first.pages, len(first.entries)) == (120, 3, 50)
    last = search(session, w["admin"], AuditFilter(entity="indicator"), page=3)
    assert len(last.entries) == 20 and last.entries[-1].entity_id == 0
    beyond = search(session, w["admin"], AuditFilter(entity="indicator"), page=99)
    assert beyond.page == 3
    seen = set()
    for p in (1, 2, 3):
        seen |= set(_ids(search(session, w["admin"], AuditFilter(entity="indicator"), page=p)))
    assert len(seen) == 120


@pytest.mark.parametrize("who", ["assessor", "leader", "unit_a", "clerk"])
def test_only_admins_browse(client, session, logged, who):
    with pytest.raises(PermissionDenied):
        search(session, logged[who], AuditFilter())
    login(client, who)
    assert client.get("/audit/").status_code == 403


def test_page_lists_filters_and_pages(client, session, logged):
    w = logged
    for i in range(60):
        audit.record(session, w["admin"], "update", "indicator", i, new={"n": i})
    session.commit()
    login(client, "admin")  # (a login may itself be audited)
    total = session.query(AuditEntry).count()
    assert total >= 66
    page = client.get("/audit/").get_data(as_text=True)
    assert f"共 {total} 条，第 1 / 2 页" in page
    assert page.count('<tr data-id="') == 50
    assert 'href="/audit/?page=2"' in page
    page = client.get(f"/audit/?entity=round_target&user={w['assessor'].id}").get_data(as_text=True)
    assert "共 1 条" in page and "一票否决" in page and "发生严重违纪问题" in page
    assert "<span class=\"key\">veto</span>：否 → 是" in page
    page = client.get(f"/audit/?round={w['round2'].id}&q=集体&page=1").get_data(as_text=True)
    assert "共 1 条" in page and "经集体研究调整" in page and "调整等次" in page
    page = client.get("/audit/?date_from=2025-04-01&date_to=2025-04-30").get_data(as_text=True)
    assert "共 2 条" in page
    # the import row by nobody shows as 系统, its "=1+1" reason as text
    page = client.get("/audit/?entity=round").get_data(as_text=True)
    assert "系统" in page and "=1+1" in page
    # next-page links keep the filters
    page = client.get("/audit/?entity=indicator").get_data(as_text=True)
    assert re.search(r'href="/audit/\?page=2&amp;entity=indicator"|href="/audit/\?entity=indicator&amp;page=2"', page)


@pytest.mark.parametrize("query,message", [
    ("date_from=2025-13-01", "“开始日期”格式不正确"),
    ("date_to=昨天", "“结束日期”格式不正确"),
    ("date_from=2025-05-01&date_to=2025-04-01", "“开始日期”不能晚于“结束日期”"),
    ("user=abc", "“操作人”的取值“abc”无效"),
    ("user=99999", "“操作人”的取值“99999”无效"),
    ("round=99999", "“考核轮次”的取值“99999”无效"),
    ("entity=nothing", "“对象类型”的取值“nothing”无效"),
    ("page=-1", "“页码”必须是正整数"),
    ("q=" + "长" * 101, "关键词不能超过100个字符"),
])
def test_bad_filters_are_explained(client, logged, query, message):
    login(client, "admin")
    resp = client.get(f"/audit/?{query}")
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert message in page and "筛选条件有误" in page and '<tr data-id="' not in page
