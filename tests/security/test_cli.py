"""`scorecard user add` forces a password change; `user passwd` resets (forced change);
`user unlock` clears a lockout."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from scorecard.models import User, utcnow
from scorecard.services.accounts.passwords import verify_password
from tests.orgs.helpers import Cli


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


def test_cli_created_user_must_change_password(cli, session, w):
    assert cli("user", "add", "li", "--role", "unit", "--org", "A", "--password", "Init-Pass-1").exit_code == 0
    assert get_user(session, "li").must_change_password is True


def test_passwd_resets_and_forces_change(cli, session, w):
    result = cli("user", "passwd", "unit_a", "--password", "Reset-Pass-1")
    assert result.exit_code == 0 and "下次登录时须修改密码" in result.output
    user = get_user(session, "unit_a")
    assert user.must_change_password and verify_password(user.password_hash, "Reset-Pass-1")
    result = cli("user", "passwd", "unit_a", "--password", "short")
    assert result.exit_code == 1 and "密码至少10位" in result.output
    result = cli("user", "passwd", "nobody", "--password", "Reset-Pass-1")
    assert result.exit_code == 1 and "账号“nobody”不存在" in result.output


def test_unlock(cli, session, w):
    w["unit_a"].locked_until = utcnow() + dt.timedelta(minutes=10)
    session.commit()
    result = cli("user", "unlock", "unit_a")
    assert result.exit_code == 0 and "已解除" in result.output
    assert get_user(session, "unit_a").locked_until is None
    assert "未被锁定" in cli("user", "unlock", "unit_a").output
