"""Account access pages: states on the list, unlocking a locked-out account, resetting a
forgotten password (typed or generated), all refused outside the administrator's sub-tree."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from scorecard.models import AuditEntry, PasswordHistory, User
from scorecard.services.accounts import passwords, security
from tests.conftest import login
from tests.orgs.helpers import audits

NEW = "Tmp-Pass42x"
OTHER_ROLES = ["assessor", "leader", "unit_a", "clerk"]


@pytest.fixture
def w(make, session):
    world = make.world()
    world["admin_a"] = make.user("admin_a", "admin", world["a"])
    world["unit_a1"] = make.user("unit_a1", "unit", world["a1"])
    session.commit()
    return world


def get_user(session, username) -> User:
    session.expire_all()
    return session.scalar(select(User).where(User.username == username))


def state(session) -> dict:
    """Every account's security columns, password histories and non-security audit rows."""
    session.rollback()
    u = User
    return {
        "users": session.execute(select(u.id, u.password_hash, u.must_change_password, u.failed_logins,
                                        u.locked_until, u.session_version, u.active).order_by(u.id)).all(),
        "history": session.execute(select(PasswordHistory.id, PasswordHistory.password_hash)
                                   .order_by(PasswordHistory.id)).all(),
        "audit": session.execute(select(AuditEntry.id).where(
            AuditEntry.entity.not_in(security.SECURITY_ENTITIES)).order_by(AuditEntry.id)).all(),
    }


def try_login(app, username, password):
    return app.test_client().post("/login", data={"username": username, "password": password})


def lock_out(app, username):
    """Five real failed logins: the account is locked."""
    for _ in range(security.MAX_FAILURES):
        try_login(app, username, "Wrong-pass-1")
    resp = try_login(app, username, "Passw0rd!")
    assert resp.status_code == 200 and security.LOCKED in resp.get_data(as_text=True)


def reset(client, user, password=NEW, confirm=None):
    return client.post(f"/users/{user.id}/password",
                       data={"password": password, "confirm": password if confirm is None else confirm})


def row_of(html: str, username: str) -> str:
    """The list's table row of one account."""
    m = re.search(r"<tr>\s*<td>" + re.escape(username) + r"</td>.*?</tr>", html, re.S)
    assert m, username
    return m.group(0)


# --- list -----------------------------------------------------------------------------------

def test_list_shows_states_in_chinese(app, client, session, w):
    lock_out(app, "unit_a")
    b, clerk = get_user(session, "unit_b"), get_user(session, "clerk")
    b.must_change_password = True
    clerk.active = False
    session.commit()
    login(client, "admin")
    html = client.get("/users/").get_data(as_text=True)
    locked_until = get_user(session, "unit_a").locked_until
    local = (locked_until + dt.timedelta(hours=8)).strftime("%H:%M")
    row = row_of(html, "unit_a")
    assert f"登录受限（失败5次，至 {local}）" in row and "解除锁定" in row and "/unlock" in row
    assert "需修改密码" in row_of(html, "unit_b") and "解除锁定" not in row_of(html, "unit_b")
    assert "已停用" in row_of(html, "clerk") and "正常" not in row_of(html, "clerk")
    assert "正常" in row_of(html, "leader") and "重置密码" in row_of(html, "leader")
    assert "重置密码" not in row_of(html, "admin")  # own password: 修改密码 page
    assert "style=" not in html and "<script" not in html


def test_expired_lock_shows_normal(client, session, w):
    user = get_user(session, "unit_a")
    user.locked_until = dt.datetime(2020, 1, 1)
    session.commit()
    login(client, "admin")
    row = row_of(client.get("/users/").get_data(as_text=True), "unit_a")
    assert "正常" in row and "登录受限" not in row and "解除锁定" not in row


# --- unlock ---------------------------------------------------------------------------------

def test_unlock_lets_the_user_log_in_at_once(app, client, session, w):
    lock_out(app, "unit_a")
    login(client, "admin")
    resp = client.post(f"/users/{w['unit_a'].id}/unlock", follow_redirects=True)
    assert "已解除账号“unit_a”的登录锁定" in resp.get_data(as_text=True)
    user = get_user(session, "unit_a")
    assert user.locked_until is None and user.failed_logins == 0
    entry, = audits(session, "user", "unlock")
    assert entry.user_id == w["admin"].id and entry.entity_id == user.id
    resp = try_login(app, "unit_a", "Passw0rd!")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"


def test_unlock_of_an_unlocked_account_changes_nothing(client, session, w):
    login(client, "admin")
    before = state(session)
    resp = client.post(f"/users/{w['unit_b'].id}/unlock", follow_redirects=True)
    assert "账号“unit_b”未被锁定" in resp.get_data(as_text=True)
    assert state(session) == before


# --- reset ----------------------------------------------------------------------------------

def test_reset_forces_a_change_at_next_login(app, client, session, w):
    login(client, "admin")
    page = client.get(f"/users/{w['unit_a'].id}/password").get_data(as_text=True)
    assert "临时密码" in page and "生成临时密码" in page and "至少10位" in page
    assert "style=" not in page and "<script" not in page
    resp = reset(client, w["unit_a"])
    assert resp.status_code == 302 and resp.headers["Location"] == "/users/"
    html = client.get("/users/").get_data(as_text=True)
    assert "已重置，该用户下次登录时须修改密码" in html and NEW not in html
    assert "需修改密码" in row_of(html, "unit_a")
    entry, = audits(session, "user", "reset_password")
    assert entry.user_id == w["admin"].id and entry.new == {"username": "unit_a"}
    old = try_login(app, "unit_a", "Passw0rd!")
    assert old.status_code == 200 and security.BAD_LOGIN in old.get_data(as_text=True)
    user_client = app.test_client()
    resp = user_client.post("/login", data={"username": "unit_a", "password": NEW})
    assert resp.status_code == 302 and resp.headers["Location"] == "/account/password"
    assert user_client.get("/").headers["Location"] == "/account/password"
    resp = user_client.post("/account/password", data={"current": NEW, "password": "Brand-new-77",
                                                       "confirm": "Brand-new-77"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert get_user(session, "unit_a").must_change_password is False


def test_reset_also_clears_a_lockout(app, client, session, w):
    lock_out(app, "unit_a")
    login(client, "admin")
    assert reset(client, w["unit_a"]).status_code == 302
    assert try_login(app, "unit_a", NEW).headers["Location"] == "/account/password"


def test_reset_signs_out_the_users_other_sessions(app, client, session, w):
    user_client = app.test_client()
    login(user_client, "unit_a")
    assert user_client.get("/").status_code == 200
    login(client, "admin")
    reset(client, w["unit_a"])
    resp = user_client.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


@pytest.mark.parametrize("password, confirm, message", [
    ("short1A!", None, "密码至少10位"),
    ("alllowercase", None, "密码须包含大写字母、小写字母、数字、符号中的至少3类"),
    ("Unit_a-Secret9", None, "密码不能包含用户名"),
    ("Passw0rd!", None, "密码至少10位"),
    ("Passw0rd!xyz", "Passw0rd!xyZ", "两次输入的密码不一致"),
    ("", "", "请填写临时密码"),
])
def test_bad_temporary_password(client, session, w, password, confirm, message):
    login(client, "admin")
    before = state(session)
    resp = reset(client, w["unit_a"], password, confirm)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    m = re.search(r'<div class="field has-error">.*?</div>\s*</div>', html, re.S)
    assert m and message in m.group(0), html[:3000]  # next to the field
    assert (password or "@@") not in html.replace(message, "")  # never echoed back
    assert "已重置" not in html
    assert state(session) == before


def test_reused_password_is_refused(app, client, session, w):
    login(client, "admin")
    reset(client, w["unit_a"])
    before = state(session)
    resp = reset(client, w["unit_a"])
    assert "新密码不能与最近5次使用过的密码相同" in resp.get_data(as_text=True)
    assert state(session) == before


def test_generated_password_is_shown_once_and_works(app, client, session, w):
    login(client, "admin")
    resp = client.post(f"/users/{w['unit_b'].id}/password/generate")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "已重置，该用户下次登录时须修改密码" in html
    assert resp.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code class="secret">([^<]+)</code>', html).group(1)
    assert not passwords.policy_problems(password, "unit_b") and len(password) == 14
    assert "style=" not in html and "<script" not in html
    assert password not in client.get("/users/").get_data(as_text=True)  # not in a flash
    session.expire_all()
    assert not any(password in repr(e.new) + repr(e.old) for e in session.scalars(select(AuditEntry)))
    entry, = audits(session, "user", "reset_password")
    assert entry.new == {"username": "unit_b"}
    assert try_login(app, "unit_b", "Passw0rd!").status_code == 200
    assert try_login(app, "unit_b", password).headers["Location"] == "/account/password"


def test_generated_passwords_meet_the_policy():
    seen = {passwords.generate_password("abc") for _ in range(300)}
    assert len(seen) == 300
    for p in seen:
        assert passwords.character_classes(p) == 4 and not passwords.policy_problems(p, "abc")
        assert not set(p) & set("Il1O0o")


def test_own_account_goes_to_the_change_page(client, session, w):
    login(client, "admin")
    before = state(session)
    for resp in (client.get(f"/users/{w['admin'].id}/password"), reset(client, w["admin"]),
                 client.post(f"/users/{w['admin'].id}/password/generate")):
        assert resp.status_code == 302 and resp.headers["Location"] == "/account/password"
    assert state(session) == before


# --- permissions ----------------------------------------------------------------------------

def _all_requests(client, user):
    return [client.get(f"/users/{user.id}/password"), reset(client, user),
            client.post(f"/users/{user.id}/password/generate"),
            client.post(f"/users/{user.id}/unlock")]


def test_other_unit_admin_gets_403_and_nothing_changes(app, client, session, w):
    lock_out(app, "unit_b")
    login(client, "admin_a")
    before = state(session)
    for target in ("unit_b", "admin", "assessor"):  # a sibling unit, the committee above
        for resp in _all_requests(client, get_user(session, target)):
            assert resp.status_code == 403, (target, resp.request.path)
            assert "乙局" not in resp.get_data(as_text=True)
    assert state(session) == before
    html = client.get("/users/").get_data(as_text=True)
    assert "unit_b" not in html
    # inside the sub-tree: allowed
    assert client.post(f"/users/{w['unit_a1'].id}/unlock").status_code == 302
    assert reset(client, w["unit_a1"]).status_code == 302
    assert client.get(f"/users/{w['unit_a1'].id}/password").status_code == 200
    assert client.post("/users/99999/unlock").status_code == 404


@pytest.mark.parametrize("who", OTHER_ROLES)
def test_other_roles_get_403(app, client, session, w, who):
    lock_out(app, "unit_b")
    login(client, who)
    before = state(session)
    for target in ("unit_b", "unit_a"):
        for resp in _all_requests(client, get_user(session, target)):
            assert resp.status_code == 403, (who, target, resp.request.path)
    assert state(session) == before


def test_anonymous_is_sent_to_login(client, session, w):
    for resp in _all_requests(client, w["unit_a"]):
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_forms_need_the_csrf_token(app, client, session, w):
    lock_out(app, "unit_a")
    login(client, "admin")
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/users/{w['unit_a'].id}/password").get_data(as_text=True)
    forms = re.findall(r"<form.*?</form>", page, re.S)
    assert len([f for f in forms if f"/users/{w['unit_a'].id}/password" in f]) == 2
    assert all('name="csrf_token"' in f for f in forms)
    assert 'name="csrf_token"' in row_of(client.get("/users/").get_data(as_text=True), "unit_a")
    before = state(session)
    assert client.post(f"/users/{w['unit_a'].id}/unlock").status_code == 400
    assert reset(client, w["unit_a"]).status_code == 400
    assert client.post(f"/users/{w['unit_a'].id}/password/generate").status_code == 400
    assert state(session) == before
