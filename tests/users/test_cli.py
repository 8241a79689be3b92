"""`scorecard user add NAME --role R --org CODE [--home CODE] [--display-name N] [--password P]`."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from scorecard.models import User
from scorecard.services.accounts.passwords import verify_password
from tests.orgs.helpers import Cli, audits, dump


@pytest.fixture
def w(make, session):
    world = make.world()
    session.commit()
    return world


@pytest.fixture
def cli(monkeypatch, db_url, tmp_path):
    return Cli(monkeypatch, db_url, tmp_path / "cli-instance")


def get_user(session, username):
    session.expire_all()
    return session.scalar(select(User).where(User.username == username))


def test_add_user_with_password_option(cli, session, w):
    result = cli("user", "add", "li", "--role", "assessor", "--org", "GW", "--home", "A",
                 "--display-name", "李四", "--password", "Secret123!")
    assert result.exit_code == 0, result.output
    assert "已创建账号“li”（考核员，数据范围：机关工委，所在单位：甲局机关党委）" in result.output
    user = get_user(session, "li")
    assert (user.display_name, user.role, user.scope_org.code, user.home_org.code) == ("李四", "assessor", "GW", "A")
    assert verify_password(get_user(session, "li").password_hash, "Secret123!")
    entry, = audits(session, "user", "create")
    assert entry.user_id is None and entry.new["org"] == "GW"


def test_add_user_prompts_for_password_twice(cli, session, w):
    result = cli("user", "add", "wang", "--role", "unit", "--org", "A-1", input="Secret123!\nSecret123!\n")
    assert result.exit_code == 0, result.output
    assert "密码" in result.output and "再次输入密码" in result.output
    assert "Secret123!" not in result.output
    user = get_user(session, "wang")
    assert user.display_name == "wang" and user.home_org is None
    assert verify_password(get_user(session, "wang").password_hash, "Secret123!")


@pytest.mark.parametrize("args, message", [
    (["--role", "assessor", "--org", "NOPE"], "错误：组织编码“NOPE”不存在"),
    (["--role", "boss", "--org", "GW"], "错误：角色“boss”无效"),
    (["--role", "unit", "--org", "A", "--home", "NOPE"], "错误：组织编码“NOPE”不存在"),
])
def test_add_user_errors_exit_1_and_write_nothing(cli, session, w, args, message):
    before = dump(session)
    result = cli("user", "add", "zhao", *args, "--password", "Secret123!")
    assert result.exit_code == 1
    assert message in result.output
    assert dump(session) == before


def test_weak_password_and_duplicate_username(cli, session, w):
    before = dump(session)
    result = cli("user", "add", "zhao", "--role", "unit", "--org", "A", "--password", "abc")
    assert result.exit_code == 1 and "错误：密码至少10位" in result.output
    result = cli("user", "add", "unit_a", "--role", "unit", "--org", "A", "--password", "Secret123!")
    assert result.exit_code == 1 and "错误：用户名“unit_a”已存在" in result.output
    assert dump(session) == before
