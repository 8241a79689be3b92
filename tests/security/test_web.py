"""Idle timeout, cookie flags, security headers, 403 written to the audit log."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from scorecard.models import AuditEntry
from scorecard.web import security as web_security
from tests.conftest import login


@pytest.fixture
def w(make, session):
    world = make.world()
    session.commit()
    return world


@pytest.fixture
def clock(monkeypatch):
    state = {"t": 1_800_000_000.0}
    monkeypatch.setattr(web_security, "clock", lambda: state["t"])

    def advance(minutes):
        state["t"] += minutes * 60
    return advance


def test_idle_timeout_signs_out(client, w, clock):
    login(client, "unit_a")
    clock(29)
    assert client.get("/").status_code == 200
    clock(29)  # activity refreshed the clock: still within 30 minutes of the last request
    assert client.get("/").status_code == 200
    clock(31)
    resp = client.get("/orgs/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next=/orgs/")
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "30分钟未操作，已自动退出" in html
    assert client.get("/").status_code == 302


def test_idle_minutes_configurable(app, client, w, clock):
    app.config["SESSION_IDLE_MINUTES"] = 5
    login(client, "unit_a")
    clock(6)
    assert client.get("/").status_code == 302


def _cookie_header(resp):
    return [v for k, v in resp.headers.items() if k == "Set-Cookie" and v.startswith("session=")][0]


def test_cookie_flags_plain_http(client, w):
    resp = client.post("/login", data={"username": "unit_a", "password": "Passw0rd!"})
    cookie = _cookie_header(resp)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_cookie_secure_when_https_configured(db_url, tmp_path, make, session):
    from scorecard.web import create_app

    make.world()
    session.commit()
    app = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path / "i2"), "SECRET_KEY": "x",
                      "TESTING": True, "WTF_CSRF_ENABLED": False, "HTTPS": True})
    resp = app.test_client().post("/login", data={"username": "unit_a", "password": "Passw0rd!"})
    assert "Secure" in _cookie_header(resp)
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")
    app.extensions["scorecard.engine"].dispose()


def test_cookie_secure_behind_https_proxy(db_url, tmp_path, make, session):
    from scorecard.web import create_app

    make.world()
    session.commit()
    app = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path / "i3"), "SECRET_KEY": "x",
                      "TESTING": True, "WTF_CSRF_ENABLED": False, "PROXY_FIX": 1})
    c = app.test_client()
    plain = c.post("/login", data={"username": "unit_a", "password": "Passw0rd!"})
    assert "Secure" not in _cookie_header(plain)
    c2 = app.test_client()
    proxied = c2.post("/login", data={"username": "unit_a", "password": "Passw0rd!"},
                      headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"})
    assert "Secure" in _cookie_header(proxied)
    session.expire_all()
    row = session.scalars(select(AuditEntry).where(AuditEntry.action == "login")
                          .order_by(AuditEntry.id.desc())).first()
    assert row.new["ip"] == "10.1.2.3"
    app.extensions["scorecard.engine"].dispose()


@pytest.mark.parametrize("url", ["/login", "/", "/static/app.css"])
def test_security_headers(client, w, url):
    if url == "/":
        login(client, "unit_a")
    resp = client.get(url)
    h = resp.headers
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
    assert "'unsafe-inline'" not in h["Content-Security-Policy"]
    assert "script-src 'self'" in h["Content-Security-Policy"]
    assert h["X-Frame-Options"] == "DENY"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    assert "camera=()" in h["Permissions-Policy"]
    if url != "/static/app.css":
        assert h["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in h  # plain-HTTP intranets must keep working


def test_forbidden_is_audited(client, session, w):
    login(client, "unit_a")
    assert client.get("/users/").status_code == 403
    session.expire_all()
    row = session.scalar(select(AuditEntry).where(AuditEntry.action == "forbidden"))
    assert row.user_id == w["unit_a"].id and row.entity == "request"
    assert row.new["path"] == "/users/" and row.new["method"] == "GET"
    assert row.new["endpoint"] == "users.index"


def test_csrf_enforced_on_login_and_password_change(app, client, w):
    app.config["WTF_CSRF_ENABLED"] = True
    resp = client.post("/login", data={"username": "unit_a", "password": "Passw0rd!"})
    assert resp.status_code == 400
