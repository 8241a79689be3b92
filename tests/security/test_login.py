"""Login lockout (5 failures → 15 minutes, per account), no username enumeration, audit rows."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from scorecard.models import AuditEntry, utcnow
from scorecard.models.accounts import LoginThrottle
from scorecard.services.accounts import security
from tests.conftest import login

BAD = "用户名或密码错误"
LOCKED = security.LOCKED


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
def test_five_failures_start_a_growing_delay(client, session, w, clock, username):
    """A real account and an unknown username behave identically (no enumeration); after the
    free failures each attempt waits, and a refused attempt is not even checked."""
    for _ in range(4):
        code, html = attempt(client, username)
        assert code == 200 and BAD in html and LOCKED not in html
    code, html = attempt(client, username)
    assert LOCKED in html and "30秒后" in html
    code, html = attempt(client, username, "Passw0rd!")  # even the right password: not checked
    assert code == 200 and LOCKED in html
    clock(1)
    if username == "unit_a":
        assert attempt(client, username, "Passw0rd!")[0] == 302
    else:  # no account: the attempt counts as the 6th failure, exactly as a wrong password would
        code, html = attempt(client, username, "Passw0rd!")
        assert LOCKED in html and "60秒后" in html


def test_delay_doubles_up_to_the_cap(client, session, w, clock):
    waits = []
    for _ in range(10):
        clock(16)  # wait out whatever delay there is
        html = attempt(client, "unit_a")[1]
        waits.append(html.split(LOCKED)[1].split("后")[0] if LOCKED in html else None)
    assert waits == [None] * 4 + ["（30秒", "（60秒", "（2分钟", "（4分钟", "（8分钟", "（15分钟"]


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


# --- abuse: strangers cannot lock accounts, floods reveal nothing -----------------------------

ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


def attempt_from(client, address, username, password="wrong-Pass1"):
    resp = client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})
    if resp.status_code == 302:
        client.post("/logout", environ_base={"REMOTE_ADDR": address})
    return resp.status_code, resp.get_data(as_text=True)


def flood(client, clock, username, attempts, seconds_apart=1.0, owner_every=None):
    """`attempts` wrong passwords from ATTACKER; the owner logs in from OWNER every
    `owner_every` attempts. Returns (attacker attempts checked, refused, owner results)."""
    checked = refused = 0
    owner = []
    for i in range(attempts):
        clock(seconds_apart / 60)
        html = attempt_from(client, ATTACKER, username)[1]
        if "登录失败次数过多" in html:
            refused += 1
        else:
            checked += 1
        if owner_every and i % owner_every == owner_every - 1:
            owner.append(attempt_from(client, OWNER, username, "Passw0rd!")[0])
    return checked, refused, owner


def test_a_flood_from_one_address_never_locks_the_owner_out(client, session, w, clock):
    """600 wrong passwords on the administrator in 10 minutes from one address: the attacker is
    slowed down, the administrator signs in from elsewhere at once, every time."""
    checked, refused, owner = flood(client, clock, "admin", 600, owner_every=50)
    assert owner == [302] * 12, owner
    assert checked <= 12 and refused >= 588, (checked, refused)
    session.expire_all()
    rows = {r.key.split(":")[0]: r for r in session.scalars(select(LoginThrottle))}
    assert rows["pair"].failures <= 12 and "name" not in rows  # the owner's logins reset the name
    print(f"\nflood 600 in 10 min: attacker answered 用户名或密码错误 {checked}, refused {refused}; "
          f"passwords checked {rows['pair'].failures}; owner logins {owner}")
    # the owner's address is not slowed by the flood, the attacker's address still is
    assert attempt_from(client, OWNER, "unit_a", "Passw0rd!")[0] == 302
    assert "登录失败次数过多" in attempt_from(client, ATTACKER, "admin", "Passw0rd!")[1]


def test_the_owner_may_mistype_while_a_flood_runs(client, session, w, clock):
    flood(client, clock, "admin", 100)
    for _ in range(4):
        assert BAD in attempt_from(client, OWNER, "admin")[1]
    assert attempt_from(client, OWNER, "admin", "Passw0rd!")[0] == 302


def test_spraying_many_names_from_one_address_is_slowed(client, session, w, clock):
    for name in [f"guess{i}" for i in range(18)] + ["unit_a"]:
        assert BAD in attempt_from(client, ATTACKER, name)[1]
    assert "30秒后" in attempt_from(client, ATTACKER, "guess19")[1]  # the 20th failure: delay starts
    for name in ("unit_b", "nobody-new"):  # a known and an unknown name: the same answer
        assert "登录失败次数过多" in attempt_from(client, ATTACKER, name, "Passw0rd!")[1]
    assert attempt_from(client, OWNER, "unit_b", "Passw0rd!")[0] == 302  # other addresses unaffected


def _answers(client, address, username, n=8):
    return [attempt_from(client, address, username) for _ in range(n)]


def test_known_and_unknown_names_answer_alike_even_after_a_log_flood(client, session, w, clock):
    """The unknown-name state used to be replayed from the last 2,000 audited failures: flooding
    the log made an unknown name forget its failures while a real account did not."""
    for _ in range(4):
        attempt_from(client, "192.0.2.1", "unit_a")
        attempt_from(client, "192.0.2.2", "nobody")
    session.add_all(AuditEntry(user_id=None, action="login_failed", entity="login", entity_id=None,
                               new={"username": f"flood{i}", "ip": "192.0.2.9"}) for i in range(2100))
    session.commit()
    known, unknown = attempt_from(client, "192.0.2.1", "unit_a"), attempt_from(client, "192.0.2.2", "nobody")
    assert "登录失败次数过多" in known[1]
    assert known[0] == unknown[0] and _message(known[1]) == _message(unknown[1])
    clock(1)
    assert [_message(h) for _, h in _answers(client, "192.0.2.1", "unit_a")] == \
        [_message(h) for _, h in _answers(client, "192.0.2.2", "nobody")]


def _message(html: str) -> str:
    for text in (BAD, LOCKED):
        if text in html:
            return html[html.index(text):].split("<")[0]
    return ""


def test_administrator_unlock_lifts_every_delay(app, client, session, w, clock):
    for _ in range(6):
        attempt_from(client, ATTACKER, "unit_a")
    login(client, "admin")
    html = client.get("/users/").get_data(as_text=True)
    assert "登录受限（失败5次" in html
    client.post(f"/users/{w['unit_a'].id}/unlock")
    client.post("/logout")
    assert attempt_from(client, ATTACKER, "unit_a", "Passw0rd!")[0] == 302
