"""Dashboard pages: who may see them (403 for units, clerks and other scopes), the JSON data
block read by static/dashboard.js, and the table behind every chart."""
from __future__ import annotations

import json
import re

import pytest

from tests.conftest import login


def data_block(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S)
    assert m, "no data block"
    return json.loads(m.group(1))


@pytest.mark.parametrize("who", ["assessor", "leader", "admin"])
def test_round_dashboard_for_assessors_leaders_admins(client, ex, who):
    login(client, who)
    resp = client.get(f"/dashboard/rounds/{ex.r2.id}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    charts = {c["id"]: c for c in data_block(html)["charts"]}
    assert set(charts) == {"progress", "leaf-progress", "selfassess", "tiers", "histogram", "weakest",
                           "groups", "movement"}
    for chart_id in charts:  # a container per chart and a table behind it
        assert f'data-chart="{chart_id}"' in html
        assert f'id="card-{chart_id}"' in html
    assert html.count("<details class=\"chart-data\">") == len(charts)
    # numbers are plain JSON numbers (no strings, no Decimal text)
    assert charts["tiers"]["categories"] == ["机关", "企业"]
    assert charts["tiers"]["series"][0] == {"name": "好", "data": [1, 0]}
    assert charts["weakest"]["series"][0]["data"] == [26.67, 20, 17.5]
    assert charts["groups"]["series"][0]["data"] == [86, 15]
    assert charts["movement"]["categories"] == ["甲局机关党委", "丙局机关党委", "乙局机关党委"]
    assert charts["movement"]["series"][0]["data"] == [12, 0, -10]
    assert "<td class=\"num\">26.67</td>" in html  # the weakest table, two decimals
    assert "上升1个、持平1个、下降1个、新纳入1个" in html
    assert "echarts-6.1.0/echarts.common.min.js" in html and "dashboard.js" in html
    assert "<script>" not in html  # no inline script (CSP)


def test_leaders_see_results_first_assessors_progress_first(client, ex):
    login(client, "leader")
    ids = [c["id"] for c in data_block(client.get(f"/dashboard/rounds/{ex.r2.id}").get_data(as_text=True))["charts"]]
    assert ids[0] == "tiers" and ids[-1] in ("progress", "leaf-progress", "selfassess")
    client.post("/logout")
    login(client, "assessor")
    ids = [c["id"] for c in data_block(client.get(f"/dashboard/rounds/{ex.r2.id}").get_data(as_text=True))["charts"]]
    assert ids[0] == "progress"


@pytest.mark.parametrize("who", ["unit_a", "clerk", "assessor_b"])
def test_units_clerks_and_other_scopes_get_403(client, ex, who):
    login(client, who)
    for url in (f"/dashboard/rounds/{ex.r2.id}", f"/dashboard/rounds/{ex.r2.id}/burden"):
        assert client.get(url).status_code == 403, url
    if who != "assessor_b":
        assert client.get("/dashboard/").status_code == 403
        assert client.get("/dashboard/burden").status_code == 403


def test_other_scope_assessor_lists_no_round_of_the_committee(client, ex):
    login(client, "assessor_b")
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "R2轮考核" not in html and "暂无可见的考核轮次" in html
    burden = client.get("/dashboard/burden").get_data(as_text=True)
    assert "R2轮考核" not in burden


def test_index_and_nav_link(client, ex):
    login(client, "leader")
    html = client.get("/dashboard/").get_data(as_text=True)
    assert f"/dashboard/rounds/{ex.r2.id}" in html and "R1轮考核" in html
    assert 'href="/dashboard/">数据看板</a>' in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login(client, "unit_a")
    assert 'href="/dashboard/"' not in client.get("/").get_data(as_text=True)


def test_unknown_round_is_404(client, ex):
    login(client, "leader")
    assert client.get("/dashboard/rounds/9999").status_code == 404


def test_round_without_previous_round_and_without_scores(client, ex, make, session):
    rnd = make.round(make.scheme("N", categories=("机关",)), ex.root, [ex.a], code="N1", phase="self")
    session.commit()
    login(client, "assessor")
    html = client.get(f"/dashboard/rounds/{rnd.id}").get_data(as_text=True)
    assert "没有更早的考核轮次" in html
    charts = {c["id"]: c for c in data_block(html)["charts"]}
    assert charts["weakest"]["categories"] == [] and charts["movement"]["categories"] == []
