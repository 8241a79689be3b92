"""Account pages: list in scope, create, activate / deactivate."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from scorecard.models import User
from tests.conftest import login
from tests.orgs.helpers import audits, dump

OTHER_ROLES = ["assessor", "leader", "unit_a", "clerk"]


@pytest.fixture
def w(make, session):
    world = make.world()
    session.commit()
    return world


def new_user(client, **overrides):
    data = {"username": "zhang", "display_name": "张三", "role": "assessor", "org_code": "A",
            "home_org_code": "A-1", "password": "Secret123!", "confirm": "Secret123!"}
    data.update(overrides)
    return client.post("/users/new", data=data)


def get_user(session, username):
    session.expire_all()
    return session.scalar(select(User).where(User.username == username))


def test_pages_need_login(client, w):
    for url in ["/users/", "/users/new"]:
        resp = client.get(url)
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login"), url
    resp = client.post(f"/users/{w['unit_a'].id}/active", data={"active": "0"})
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


@pytest.mark.parametrize("who", OTHER_ROLES)
def test_other_roles_get_403(client, session, w, who):
    login(client, who)
    before = dump(session)
    assert client.get("/users/").status_code == 403
    assert client.get("/users/new").status_code == 403
    assert new_user(client).status_code == 403
    assert client.post(f"/users/{w['unit_b'].id}/active", data={"active": "0"}).status_code == 403
    assert dump(session) == before
    assert "/users/" not in client.get("/").get_data(as_text=True)


def test_admin_lists_accounts_in_scope(client, session, make, w):
    login(client, "admin")
    html = client.get("/users/").get_data(as_text=True)
    for text in ["assessor_a", "考核员", "填报员", "领导", "积分管理员", "系统管理员", "甲局机关党委",
                 "（当前账号）", "停用"]:
        assert text in html, text
    make.user("admin_a", "admin", w["a"])
    session.commit()
    client.post("/logout")
    login(client, "admin_a")
    html = client.get("/users/").get_data(as_text=True)
    assert "unit_a" in html and "clerk" in html
    assert "unit_b" not in html and "assessor_a" not in html


def test_create_user(client, session, w):
    login(client, "admin")
    page = client.get("/users/new").get_data(as_text=True)
    assert '<option value="assessor">考核员</option>' in page
    resp = new_user(client)
    assert resp.status_code == 302 and resp.headers["Location"] == "/users/"
    user = get_user(session, "zhang")
    assert (user.display_name, user.role, user.scope_org.code, user.home_org.code) == ("张三", "assessor", "A", "A-1")
    entry, = audits(session, "user", "create")
    assert entry.user_id == w["admin"].id
    assert "已创建账号“zhang”（考核员）" in client.get("/users/").get_data(as_text=True)
    client.post("/logout")
    login(client, "zhang", "Secret123!")


@pytest.mark.parametrize("overrides, message", [
    ({"confirm": "Other123!"}, "两次输入的密码不一致"),
    ({"password": "short1", "confirm": "short1"}, "密码至少10位"),
    ({"org_code": "NOPE"}, "组织编码“NOPE”不存在"),
    ({"home_org_code": "NOPE"}, "组织编码“NOPE”不存在"),
    ({"username": "unit_a"}, "用户名“unit_a”已存在"),
    ({"role": "root"}, "角色“root”无效"),
    ({"username": ""}, "请填写用户名"),
])
def test_create_user_errors(client, session, w, overrides, message):
    login(client, "admin")
    before = dump(session)
    resp = new_user(client, **overrides)
    assert resp.status_code == 200
    assert message in resp.get_data(as_text=True)
    assert dump(session) == before


def test_scoped_admin_cannot_create_accounts_outside_scope(client, session, make, w):
    make.user("admin_a", "admin", w["a"])
    session.commit()
    login(client, "admin_a")
    before = dump(session)
    html = new_user(client, org_code="GW", home_org_code="B").get_data(as_text=True)
    assert "组织编码“GW”不在您的管理范围内" in html and "组织编码“B”不在您的管理范围内" in html
    assert dump(session) == before
    assert new_user(client, org_code="A-1", home_org_code="").status_code == 302
    assert get_user(session, "zhang").home_org is None


def test_deactivate_and_reactivate(client, session, w):
    login(client, "admin")
    resp = client.post(f"/users/{w['unit_b'].id}/active", data={"active": "0"}, follow_redirects=True)
    assert "账号“unit_b”已停用" in resp.get_data(as_text=True)
    assert get_user(session, "unit_b").active is False
    entry, = audits(session, "user", "deactivate")
    assert entry.user_id == w["admin"].id and entry.new["active"] is False
    other = client.application.test_client()
    assert other.post("/login", data={"username": "unit_b", "password": "Passw0rd!"}).status_code == 200
    client.post(f"/users/{w['unit_b'].id}/active", data={"active": "1"})
    assert get_user(session, "unit_b").active is True
    assert len(audits(session, "user", "activate")) == 1
    login(other, "unit_b")


def test_admin_cannot_deactivate_themself(client, session, w):
    login(client, "admin")
    resp = client.post(f"/users/{w['admin'].id}/active", data={"active": "0"}, follow_redirects=True)
    assert "不能停用自己的账号" in resp.get_data(as_text=True)
    assert get_user(session, "admin").active is True
    assert audits(session, "user") == []


def test_scoped_admin_cannot_toggle_outside_scope(client, session, make, w):
    make.user("admin_a", "admin", w["a"])
    session.commit()
    login(client, "admin_a")
    assert client.post(f"/users/{w['unit_b'].id}/active", data={"active": "0"}).status_code == 403
    assert client.post("/users/99999/active", data={"active": "0"}).status_code == 404
    assert get_user(session, "unit_b").active is True


def test_toggle_needs_csrf_token(app, client, session, w):
    login(client, "admin")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/users/{w['unit_b'].id}/active", data={"active": "0"}).status_code == 400
    assert get_user(session, "unit_b").active is True
