"""POST /api/scores with odd numbers and bodies: 400/404 JSON with a Chinese message, never 500."""
from __future__ import annotations

import pytest

from tests.scores.helpers import score_count

API = "/api/scores"


@pytest.mark.parametrize("version", ["9" * 5000, "²", "١٢", 2**64, -1, "1e3", True])
def test_odd_versions_are_400(w, as_user, session, version):
    c = as_user("assessor")
    resp = c.post(API, json={"target_id": w["tb"].id, "leaf_code": "1.1", "value": "10", "version": version})
    assert resp.status_code == 400 and resp.get_json()["error"] == "版本号格式不正确，请刷新页面"
    assert score_count(session) == 0


@pytest.mark.parametrize("target", [2**63, 2**64, 10**5000 // 10**4000, -5])
def test_target_ids_beyond_bigint_are_404(w, as_user, target):
    resp = as_user("assessor").post(API, json={"target_id": target, "leaf_code": "1.1", "value": "10"})
    assert resp.status_code == 404 and resp.get_json()["error"] == "考核对象不存在"


@pytest.mark.parametrize("body", ["[" * 100000 + "]" * 100000, '{"a":' * 50000 + "1" + "}" * 50000,
                                  '{"target_id": ' + "9" * 5000 + "}"])
def test_hostile_json_bodies_are_400(w, as_user, body):
    resp = as_user("assessor").post(API, data=body, content_type="application/json")
    assert resp.status_code == 400 and resp.get_json() == {"ok": False, "error": "请求格式不正确", "field": None}


def test_wrong_method_on_the_api_answers_json(w, as_user):
    resp = as_user("assessor").get(API)
    assert resp.status_code == 405 and resp.is_json
    assert "不支持该请求方式" in resp.get_json()["error"] and "POST" in resp.headers["Allow"]
