"""Server-side sessions: a cookie captured before logout, a password change, a deactivation or
the end of the absolute lifetime is refused when replayed (pages: redirect to login; /api/: 401
JSON), and a write sent with it does not land — on any app process sharing the database."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from scorecard.models import User
from scorecard.models.accounts import LoginSession
from scorecard.web import security as web_security
from tests.conftest import login

GOOD = "Neu-Passwort-42"
NEWER = "Noch-ein-Pass-43"


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


def captured(client) -> str:
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """A fresh browser (or an attacker) sending a captured session cookie."""
    c = app.test_client()
    c.set_cookie("session", cookie)
    return c


def password_hash(session, username) -> str:
    session.expire_all()
    return session.scalar(select(User.password_hash).where(User.username == username))


def assert_refused(app, session, cookie: str, username: str = "unit_a", current: str = "Passw0rd!"):
    """Pages redirect to login, /api/ answers 401 JSON, a write does not land."""
    page = replay(app, cookie).get("/orgs/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login"), page.status_code
    api = replay(app, cookie).post("/api/scores", json={"target_id": 1, "leaf_code": "x", "value": "1"})
    assert api.status_code == 401 and api.get_json()["ok"] is False
    before = password_hash(session, username)
    write = replay(app, cookie).post("/account/password",
                                     data={"current": current, "password": NEWER, "confirm": NEWER})
    assert write.status_code == 302 and write.headers["Location"].startswith("/login")
    assert password_hash(session, username) == before, "a write with a revoked cookie landed"


def test_live_cookie_works(app, client, session, w):
    login(client, "unit_a")
    assert replay(app, captured(client)).get("/orgs/").status_code == 200


def test_replay_after_logout_refused(app, client, session, w):
    login(client, "unit_a")
    cookie = captured(client)
    client.post("/logout")
    assert_refused(app, session, cookie)
    session.expire_all()
    assert session.scalar(select(LoginSession.revoked_reason)) == "logout"


def test_logout_on_one_process_ends_the_session_on_another(app, client, session, w, db_url, tmp_path):
    from scorecard.web import create_app

    other = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path / "worker2"),
                        "SECRET_KEY": "test-secret", "TESTING": True, "WTF_CSRF_ENABLED": False})
    try:
        login(client, "unit_a")
        cookie = captured(client)
        assert replay(other, cookie).get("/orgs/").status_code == 200
        client.post("/logout")
        resp = replay(other, cookie).get("/orgs/")
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    finally:
        other.extensions["scorecard.engine"].dispose()


def test_replay_after_password_change_refused(app, client, session, w):
    other = app.test_client()
    login(other, "unit_a")
    stolen = captured(other)
    login(client, "unit_a")
    own_before = captured(client)  # the changing session's own cookie from before the change
    resp = client.post("/account/password", data={"current": "Passw0rd!", "password": GOOD, "confirm": GOOD})
    assert resp.status_code == 302
    assert client.get("/orgs/").status_code == 200  # the changing session goes on, with a new token
    for cookie in (stolen, own_before):
        assert_refused(app, session, cookie, current=GOOD)


def test_replay_after_deactivation_refused_even_once_reactivated(app, client, session, w):
    victim = app.test_client()
    login(victim, "unit_a")
    cookie = captured(victim)
    login(client, "admin")
    client.post(f"/users/{w['unit_a'].id}/active", data={"active": "0"})
    assert_refused(app, session, cookie)
    client.post(f"/users/{w['unit_a'].id}/active", data={"active": "1"})
    assert_refused(app, session, cookie)
    login(victim, "unit_a")  # signing in again works
    assert victim.get("/orgs/").status_code == 200


def test_absolute_lifetime(app, client, session, w, clock):
    login(client, "unit_a")
    cookie = captured(client)
    for _ in range(35):  # active every 20 minutes: never idle, 11 h 40 min
        clock(20)
        assert client.get("/").status_code == 200
    clock(25)  # 12 h 5 min after login
    resp = client.get("/orgs/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert "登录已超过12小时" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert_refused(app, session, cookie)


def test_absolute_lifetime_configurable(app, client, session, w, clock):
    app.config["SESSION_MAX_HOURS"] = 1
    login(client, "unit_a")
    for _ in range(3):
        clock(20)
        assert client.get("/").status_code == 200
    clock(5)
    assert client.get("/").status_code == 302


def test_idle_timer_is_server_side(app, client, session, w, clock):
    """Using a cookie refreshes the row, not the cookie: an old copy does not carry an old
    'last seen' that could be replayed, and a copy used after the idle timeout is refused."""
    login(client, "unit_a")
    cookie = captured(client)
    clock(31)
    assert replay(app, cookie).get("/").status_code == 302
    assert client.get("/").status_code == 302  # the same session everywhere


def test_cookie_holds_no_user_state_but_a_token(app, client, session, w):
    login(client, "unit_a")
    session.expire_all()
    row = session.scalar(select(LoginSession))
    assert row.user_id == w["unit_a"].id and row.revoked_at is None
    assert row.id not in captured(client)  # only the token's digest is stored
