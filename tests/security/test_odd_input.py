"""Odd numbers in URLs, query strings and cookies, wrong methods and unexpected errors: the
product's own Chinese pages (JSON under /api/), never a bare 500."""
from __future__ import annotations

import pytest

from scorecard.domain.numbers import MAX_ID, parse_id
from tests.conftest import login

@pytest.fixture
def world(make, session):
    root = make.org("ROOT", "市委组织部")
    make.user("admin", "admin", root)
    session.commit()


ODD = [str(2**63), str(2**64), "9" * 5000, "0" * 4990 + "1" * 20]


@pytest.mark.parametrize("text, expected", [
    ("12", 12), (" 7 ", 7), ("0", 0), (str(MAX_ID), MAX_ID), ("0" * 30 + "5", 5),
    (str(MAX_ID + 1), None), ("9" * 5000, None), ("²", None), ("١٢", None), ("１２", None), ("-1", None),
    ("1.0", None), ("", None), (None, None), (True, None), (-1, None), (2**64, None), (3, 3),
])
def test_parse_id(text, expected):
    assert parse_id(text) == expected


def _int_routes(app):
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if conv.__class__.__name__ == "BoundedInt"]
        if ints:
            yield rule, ints


def test_every_int_route_uses_the_bounded_converter(app):
    rules = [r for r in app.url_map.iter_rules() if "<int:" in r.rule]
    assert rules and len(rules) == len(list(_int_routes(app)))


@pytest.mark.parametrize("odd", ODD + ["²", "١٢"])
def test_ids_beyond_64_bits_are_404_on_every_route(client, app, world, odd):
    login(client, "admin")
    seen = 0
    for rule, ints in _int_routes(app):
        url = rule.rule
        for name in ints:
            url = url.replace(f"<int:{name}>", odd)
        for part in rule.arguments - set(ints):   # other converters: any plausible value
            url = url.replace(f"<{part}>", "x").replace(f"<string:{part}>", "x").replace(f"<path:{part}>", "x")
        method = "GET" if "GET" in rule.methods else "POST"
        resp = client.open(url, method=method)
        assert resp.status_code == 404, (url, resp.status_code)
        body = resp.get_data(as_text=True)
        assert ("页面或数据不存在" in body) or ("不存在" in body), url
        seen += 1
    assert seen > 20


@pytest.mark.parametrize("url", ["/evidence/?org={}", "/schemes/1/compare?against={}"])
@pytest.mark.parametrize("odd", ODD + ["²"])
def test_odd_ids_in_query_strings_never_500(client, world, url, odd):
    login(client, "admin")
    resp = client.get(url.format(odd))
    assert resp.status_code in (200, 302, 400, 404), resp.status_code


@pytest.mark.parametrize("cookie_id", ["²:0", "9" * 5000 + ":0", f"{2**64}:0", "1:²"])
def test_odd_user_ids_in_the_session_are_anonymous(app, cookie_id):
    from scorecard.web.app import _load_user

    with app.test_request_context("/"):
        assert _load_user(cookie_id) is None


def test_wrong_method_is_the_chinese_405_page(client, world):
    login(client, "admin")
    resp = client.get("/evidence/upload")
    assert resp.status_code == 405 and resp.mimetype == "text/html"
    body = resp.get_data(as_text=True)
    assert "不支持该请求方式" in body and "返回首页" in body and "Method Not Allowed" not in body


def test_unexpected_error_is_the_chinese_500_page(app, client, world):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom-test")
    def _boom():
        raise RuntimeError("boom")

    @app.route("/api/boom-test")
    def _api_boom():
        raise RuntimeError("boom")

    login(client, "admin")
    resp = client.get("/boom-test")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 500 and "系统内部错误" in body and "返回首页" in body
    assert "Internal Server Error" not in body and "RuntimeError" not in body
    resp = client.get("/api/boom-test")
    assert resp.status_code == 500 and resp.get_json()["error"].startswith("系统内部错误")
