"""POST /api/scores (the grid's cell save): points, versions, validation, permissions, CSRF."""
from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from scorecard.services.scoring import scores as scoring
from tests.scores.helpers import grid_url, own_score, score_count, text

API = "/api/scores"


def post(c, w, code, value, version=None, target="tb", **extra):
    body = {"target_id": w[target].id, "leaf_code": code, "value": value, "version": version, **extra}
    return c.post(API, json=body)


def test_saves_points_and_returns_version_and_row_total(w, as_user, session):
    c = as_user("assessor")
    resp = post(c, w, "1.1", "18.5")
    assert resp.status_code == 200
    assert resp.get_json() == {"ok": True, "points": "18.50", "version": 1, "row_total": "18.50",
                               "title": "直接打分"}
    assert own_score(session, w, w["tb"], "1.1").input == {"value": "18.5"}
    resp = post(c, w, "2.2", "8")  # a grade leaf: the grid enters points
    data = resp.get_json()
    assert data["points"] == "8.00" and data["row_total"] == "26.50"
    assert own_score(session, w, w["tb"], "2.2").input == {"points": "8"}
    resp = post(c, w, "1.1", "19", version=1)
    assert resp.get_json()["version"] == 2 and resp.get_json()["row_total"] == "27.00"


def test_keeps_the_existing_comment(w, as_user, session):
    scoring.save_score(session, w["assessor"], w["tb"], w["leaf"]["1.1"], {"value": "15"}, comment="记录不全")
    session.commit()
    assert post(as_user("assessor"), w, "1.1", "16", version=1).status_code == 200
    score = own_score(session, w, w["tb"], "1.1")
    assert score.points == D("16.00") and score.comment == "记录不全"


def test_empty_value_clears(w, as_user, session):
    c = as_user("assessor")
    post(c, w, "1.1", "18")
    resp = post(c, w, "1.1", "", version=1)
    assert resp.status_code == 200
    assert resp.get_json() == {"ok": True, "points": "", "version": None, "row_total": "", "title": ""}
    assert own_score(session, w, w["tb"], "1.1") is None


@pytest.mark.parametrize("value,message", [
    ("25", "得分25超出满分20"),
    ("1.234", "得分最多保留两位小数：1.234"),
    ("abc", "得分不是有效的数字：abc"),
    ("-1", "得分不能为负数"),
    (True, "分值格式不正确"),
])
def test_validation_errors_are_400_with_chinese_messages(w, as_user, session, value, message):
    resp = post(as_user("assessor"), w, "1.1", value)
    assert resp.status_code == 400
    data = resp.get_json()
    assert data["ok"] is False and message in data["error"]
    assert score_count(session) == 0


def test_deduct_below_max_needs_a_reason(w, as_user, session):
    c = as_user("assessor")
    resp = post(c, w, "1.2", "6")
    assert resp.status_code == 400
    assert resp.get_json()["field"] == "reason" and "扣分原因" in resp.get_json()["error"]
    assert score_count(session) == 0
    resp = post(c, w, "1.2", "6", reason="两次未按期召开支委会")
    assert resp.status_code == 200 and resp.get_json()["points"] == "6.00"
    score = own_score(session, w, w["tb"], "1.2")
    assert score.input == {"deductions": [{"times": "2", "points": "4", "reason": "两次未按期召开支委会"}]}
    resp = post(c, w, "1.2", "7", version=1, reason="x")  # 3 is not a multiple of 2 points
    assert resp.status_code == 400 and "整数倍" in resp.get_json()["error"]


def test_deduct_range_and_full_marks(w, as_user, session):
    c = as_user("assessor")
    assert post(c, w, "1.3", "5", reason="谈心谈话不足").status_code == 200  # 扣1-3分 → 3 + 2
    assert [d["points"] for d in own_score(session, w, w["tb"], "1.3").input["deductions"]] == ["3", "2"]
    assert post(c, w, "1.2", "10").get_json()["points"] == "10.00"  # full marks: no reason needed
    assert own_score(session, w, w["tb"], "1.2").input == {"deductions": []}


def test_stale_version_is_409_and_the_db_keeps_the_other_value(w, as_user, session):
    c = as_user("assessor")
    post(c, w, "1.1", "18")
    resp = post(c, w, "1.1", "12", version=None)  # another window that saw no score
    assert resp.status_code == 409
    assert "已在别处被修改" in resp.get_json()["error"]
    post(c, w, "1.1", "17", version=1)
    assert post(c, w, "1.1", "11", version=1).status_code == 409
    score = own_score(session, w, w["tb"], "1.1")
    assert score.points == D("17.00") and score.version == 2


@pytest.mark.parametrize("username", ["leader", "unit_a", "unit_b", "clerk", "admin", "assessor_b"])
def test_other_roles_and_scopes_get_403(w, as_user, session, username):
    resp = post(as_user(username), w, "1.1", "10")
    assert resp.status_code == 403 and resp.get_json()["error"] == "您没有权限访问该页面或数据"
    assert score_count(session) == 0


def test_home_unit_gets_403_with_a_chinese_message(w, as_user, session):
    c = as_user("assessor_a")
    resp = post(c, w, "1.1", "10", target="ta")
    assert resp.status_code == 403 and "回避" in resp.get_json()["error"]
    assert post(c, w, "1.1", "10", target="tb").status_code == 200
    assert score_count(session) == 1


@pytest.mark.parametrize("phase,label", [("publicity", "公示"), ("final", "已定档")])
def test_locked_phases_refuse_saving(w, as_user, session, phase, label):
    w["round"].phase = phase
    session.commit()
    resp = post(as_user("assessor"), w, "1.1", "10")
    assert resp.status_code == 403 and f"“{label}”阶段" in resp.get_json()["error"]
    assert score_count(session) == 0


def test_bad_requests(w, as_user):
    c = as_user("assessor")
    assert c.post(API, data="x", content_type="text/plain").status_code == 400
    assert c.post(API, json={"target_id": 99999, "leaf_code": "1.1", "value": "1"}).status_code == 404
    assert c.post(API, json={"target_id": "1", "leaf_code": "1.1", "value": "1"}).status_code == 404
    resp = post(c, w, "9.9", "1")
    assert resp.status_code == 400 and "9.9" in resp.get_json()["error"]
    resp = post(c, w, "4.1", "1")  # a 社区-only leaf on a 机关 target
    assert resp.status_code == 400 and "不适用" in resp.get_json()["error"]
    resp = post(c, w, "1.1", "1", version="abc")
    assert resp.status_code == 400 and "版本号" in resp.get_json()["error"]


def test_anonymous_is_sent_to_login(w, client):
    resp = client.post(API, json={"target_id": w["tb"].id, "leaf_code": "1.1", "value": "1"})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_csrf_header_from_the_meta_tag_is_accepted(w, app, session):
    app.config["WTF_CSRF_ENABLED"] = True
    c = app.test_client()
    page = text(c.get("/login"))
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    resp = c.post("/login", data={"username": "assessor", "password": "Passw0rd!", "csrf_token": token})
    assert resp.status_code == 302
    page = text(c.get(grid_url(w)))
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    body = {"target_id": w["tb"].id, "leaf_code": "1.1", "value": "9", "version": None}
    assert c.post(API, json=body).status_code == 400  # no token
    assert score_count(session) == 0
    resp = c.post(API, json=body, headers={"X-CSRFToken": token})
    assert resp.status_code == 200 and resp.get_json()["points"] == "9.00"
