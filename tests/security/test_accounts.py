"""Password policy, history, change page, forced change at first login, session revocation."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from scorecard.models import AuditEntry, PasswordHistory, User
from scorecard.services.accounts import passwords
from scorecard.services.accounts import users as accounts
from scorecard.services.errors import ServiceError
from tests.conftest import login

GOOD = "Gd-Passw0rd"


@pytest.fixture
def w(make, session):
    world = make.world()
    session.commit()
    return world


@pytest.mark.parametrize("password, message", [
    ("Ab1!ab1!a", "密码至少10位"),
    ("abcdefghij12", "至少3类"),
    ("ABCDEFGHIJ!!", "至少3类"),
    ("zhangsan-Pass1", "密码不能包含用户名"),
    ("ZHANGSAN-pass1", "密码不能包含用户名"),
    ("A1!" + "x" * 200, "密码不能超过128位"),
])
def test_policy_refusals(password, message):
    assert any(message in p for p in passwords.policy_problems(password, "zhangsan"))


@pytest.mark.parametrize("password", ["Gd-Passw0rd", "abcdefgh1!", "ABCDEFGH1!", "党建考核abcd1234", "Abcdefghij1"])
def test_policy_accepts(password):
    assert passwords.policy_problems(password, "zhangsan") == []


def test_short_usernames_do_not_ban_letters():
    assert passwords.policy_problems("a-Passw0rd1", "a") == []


def test_history_refuses_the_last_five(session, w):
    user = w["unit_a"]
    current = "Passw0rd!"
    used = [f"Hist-{i}-Passw0rd" for i in range(6)]
    for pw in used:
        passwords.change_password(session, user, current, pw)
        current = pw
    session.commit()
    assert session.scalar(select(PasswordHistory).where(PasswordHistory.user_id == user.id).limit(1))
    assert len(session.scalars(select(PasswordHistory).where(PasswordHistory.user_id == user.id)).all()) == 5
    for old in used[-5:-1]:
        with pytest.raises(ServiceError, match="最近5次"):
            passwords.change_password(session, user, current, old)
    with pytest.raises(ServiceError, match="不能与当前密码相同"):
        passwords.change_password(session, user, current, current)
    passwords.change_password(session, user, current, used[0])  # six changes ago: allowed again


def test_change_password_checks_current(session, w):
    with pytest.raises(ServiceError, match="当前密码不正确"):
        passwords.change_password(session, w["unit_a"], "wrong", GOOD)


def test_change_password_page(client, session, w):
    login(client, "unit_a")
    assert "修改密码" in client.get("/account/password").get_data(as_text=True)
    resp = client.post("/account/password", data={"current": "Passw0rd!", "password": "short",
                                                  "confirm": "short"})
    assert resp.status_code == 200 and "密码至少10位" in resp.get_data(as_text=True)
    resp = client.post("/account/password", data={"current": "Passw0rd!", "password": GOOD,
                                                  "confirm": GOOD + "x"})
    assert "两次输入的新密码不一致" in resp.get_data(as_text=True)
    resp = client.post("/account/password", data={"current": "nope", "password": GOOD, "confirm": GOOD})
    assert "当前密码不正确" in resp.get_data(as_text=True)
    resp = client.post("/account/password", data={"current": "Passw0rd!", "password": GOOD, "confirm": GOOD})
    assert resp.status_code == 302
    assert client.get("/").status_code == 200  # this session stays signed in
    session.expire_all()
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "change_password"))
    assert entry.user_id == w["unit_a"].id
    client.post("/logout")
    login(client, "unit_a", GOOD)


def test_password_change_signs_out_other_sessions(app, client, session, w):
    other = app.test_client()
    login(client, "unit_a")
    login(other, "unit_a")
    assert other.get("/").status_code == 200
    client.post("/account/password", data={"current": "Passw0rd!", "password": GOOD, "confirm": GOOD})
    resp = other.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert client.get("/").status_code == 200


def test_admin_created_account_must_change_password(client, session, w):
    login(client, "admin")
    resp = client.post("/users/new", data={"username": "zhang", "display_name": "张三", "role": "unit",
                                           "org_code": "A", "password": "Init-Pass-1", "confirm": "Init-Pass-1"})
    assert resp.status_code == 302
    client.post("/logout")
    resp = login(client, "zhang", "Init-Pass-1")
    assert resp.headers["Location"] == "/account/password"
    for url in ["/", "/orgs/", f"/orgs/{w['a'].id}"]:
        resp = client.get(url)
        assert resp.status_code == 302 and resp.headers["Location"] == "/account/password", url
    page = client.get("/account/password").get_data(as_text=True)
    assert "须修改后才能继续使用系统" in page
    resp = client.post("/account/password", data={"current": "Init-Pass-1", "password": "Init-Pass-1",
                                                  "confirm": "Init-Pass-1"})
    assert "新密码不能与当前密码相同" in resp.get_data(as_text=True)
    client.post("/account/password", data={"current": "Init-Pass-1", "password": GOOD, "confirm": GOOD})
    assert client.get("/").status_code == 200
    session.expire_all()
    assert session.scalar(select(User).where(User.username == "zhang")).must_change_password is False


def test_logout_allowed_while_forced(client, session, w):
    accounts.create_user(session, w["admin"], "li", "Init-Pass-1", "unit", "A")
    session.commit()
    login(client, "li", "Init-Pass-1")
    assert client.post("/logout").headers["Location"] == "/login"


def test_factory_and_demo_accounts_are_not_forced(client, session, w):
    assert w["unit_a"].must_change_password is False
    user = accounts.create_user(session, None, "demo_x", "Demo@2025!", "unit", "A", must_change_password=False)
    assert user.must_change_password is False
    assert accounts.create_user(session, None, "cli_x", "Demo@2025!", "unit", "A").must_change_password is True
    from scorecard.cli.demo import DEMO_PASSWORD
    for a in ["admin", "kaohe_a", "tianbao", "jifen", "lingdao"]:
        assert passwords.policy_problems(DEMO_PASSWORD, a) == [], a


def test_admin_reset_forces_change_and_unlock(session, w):
    accounts.reset_password(session, w["admin"], w["unit_a"], "Reset-Pass-1")
    assert w["unit_a"].must_change_password is True
    with pytest.raises(ServiceError, match="您没有权限"):
        accounts.reset_password(session, w["unit_a"], w["unit_b"], "Reset-Pass-1")
    w["unit_b"].failed_logins = 3
    assert accounts.unlock(session, w["admin"], w["unit_b"]) is True
    assert w["unit_b"].failed_logins == 0
