"""Login lockout (5 failures → 15 minutes, per account), no username enumeration, audit rows."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from scorecard.models import AuditEntry, utcnow
from scorecard.services.accounts import security
from tests.conftest import login

BAD = "用户名或密码错误"
LOCKED = "账号已被锁定"


@pytest.fixture
def w(make, session):
    world = make.world()
    session.commit()
    return world


@pytest.fixture
def clock(monkeypatch):
    """Shift the service's notion of now (minutes)."""
    state = {"offset": dt.timedelta()}
    monkeypatch.setattr(security, "utcnow", lambda: utcnow() + state["offset"])

    def advance(minutes):
        state["offset"] += dt.timedelta(minutes=minutes)
    return advance


def attempt(client, username, password="wrong-Pass1"):
    resp = client.post("/login", data={"username": username, "password": password})
    return resp.status_code, resp.get_data(as_text=True)


@pytest.mark.parametrize("username", ["unit_a", "nobody"])
def test_five_failures_lock_for_fifteen_minutes(client, session, w, clock, username):
    """A real account and an unknown username behave identically (no enumeration)."""
    for _ in range(4):
        code, html = attempt(client, username)
        assert code == 200 and BAD in html and LOCKED not in html
    code, html = attempt(client, username)
    assert LOCKED in html and "15分钟" in html
    code, html = attempt(client, username, "Passw0rd!")  # even the right password
    assert code == 200 and LOCKED in html
    clock(14)
    assert LOCKED in attempt(client, username, "Passw0rd!")[1]
    clock(2)
    if username == "unit_a":
        assert attempt(client, username, "Passw0rd!")[0] == 302
    else:
        code, html = attempt(client, username, "Passw0rd!")
        assert BAD in html and LOCKED not in html


def test_success_resets_the_counter(client, session, w):
    for _ in range(4):
        attempt(client, "unit_a")
    login(client, "unit_a")
    client.post("/logout")
    for _ in range(4):
        assert BAD in attempt(client, "unit_a")[1]


def test_lock_is_per_account(client, session, w):
    for _ in range(5):
        attempt(client, "unit_a")
    assert LOCKED in attempt(client, "unit_a", "Passw0rd!")[1]
    login(client, "unit_b")


def test_inactive_account_looks_like_a_bad_password(client, session, w):
    w["unit_b"].active = False
    session.commit()
    code, html = attempt(client, "unit_b", "Passw0rd!")
    assert code == 200 and BAD in html


def test_failures_and_logins_are_audited(client, session, w):
    attempt(client, "nobody")
    attempt(client, "unit_a")
    login(client, "unit_a")
    client.post("/logout")
    session.expire_all()
    rows = session.scalars(select(AuditEntry).where(AuditEntry.entity == "login").order_by(AuditEntry.id)).all()
    assert [(r.action, r.user_id, r.entity_id, r.new["username"]) for r in rows] == [
        ("login_failed", None, None, "nobody"),
        ("login_failed", None, w["unit_a"].id, "unit_a"),
        ("login", w["unit_a"].id, w["unit_a"].id, "unit_a"),
        ("logout", w["unit_a"].id, w["unit_a"].id, "unit_a"),
    ]
    assert all("password" not in str(r.new) and "wrong-Pass1" not in str(r.new) for r in rows)


def test_lock_recorded_with_until(client, session, w):
    for _ in range(5):
        attempt(client, "unit_a")
    session.expire_all()
    assert w["unit_a"].locked_until is not None
    last = session.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed")
                           .order_by(AuditEntry.id.desc())).first()
    assert "locked_until" in last.new
    attempt(client, "unit_a", "Passw0rd!")
    session.expire_all()
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "login_locked")).entity_id == w["unit_a"].id


def test_open_redirect_refused(client, w):
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example/"]:
        resp = client.post("/login?next=" + target, data={"username": "unit_a", "password": "Passw0rd!"})
        assert resp.headers["Location"] == "/", target
        client.post("/logout")
    resp = client.post("/login?next=/orgs/", data={"username": "unit_a", "password": "Passw0rd!"})
    assert resp.headers["Location"] == "/orgs/"


def test_configurable_thresholds(app, client, w):
    app.config["LOGIN_MAX_FAILURES"] = 2
    attempt(client, "unit_a")
    assert LOCKED in attempt(client, "unit_a")[1]
