"""`scorecard user passwd NAME` (reset; the user must change it at next login) and
`scorecard user unlock NAME` (clear a login lockout)."""
from __future__ import annotations

import click
from sqlalchemy import select

from scorecard.cli.base import Context, pass_ctx, user_group
from scorecard.models import User
from scorecard.services.accounts import users as accounts
from scorecard.services.errors import ServiceError


def _user(session, name: str) -> User:
    user = session.scalar(select(User).where(User.username == name.strip()))
    if user is None:
        raise ServiceError(f"账号“{name}”不存在", "username")
    return user


@user_group.command("passwd")
@click.argument("name")
@click.option("--password", prompt="新密码", hide_input=True, confirmation_prompt="再次输入新密码",
              help="不提供时交互输入")
@pass_ctx
def passwd(ctx: Context, name: str, password: str) -> None:
    """Set NAME's password; NAME must change it at the next login."""
    with ctx.unit_of_work() as session:
        user = _user(session, name)
        accounts.reset_password(session, None, user, password)
        click.echo(f"已重置账号“{user.username}”的密码，该账号下次登录时须修改密码")


@user_group.command("unlock")
@click.argument("name")
@pass_ctx
def unlock(ctx: Context, name: str) -> None:
    """Clear the login lockout of NAME."""
    with ctx.unit_of_work() as session:
        user = _user(session, name)
        changed = accounts.unlock(session, None, user)
        click.echo(f"已解除账号“{user.username}”的登录锁定" if changed else f"账号“{user.username}”未被锁定")
