"""`scorecard import orgs` and `scorecard user add`."""
from __future__ import annotations

import click

from scorecard.cli.base import Context, import_group, pass_ctx, user_group
from scorecard.models import ROLES
from scorecard.services.accounts.users import create_user
from scorecard.services.orgs.importing import import_org_file


@import_group.command("orgs")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只检查并显示将要发生的变化，不写入数据库")
@pass_ctx
def import_orgs(ctx: Context, file: str, dry_run: bool) -> None:
    """Import or update organisations from FILE.xlsx (编码, 名称, 上级编码, 类别, 片组, 组织类型)."""
    with ctx.unit_of_work(dry_run) as session:
        summary = import_org_file(session, None, file)
        for line in summary.details:
            click.echo(f"  {line}")
        click.echo(summary.text(dry_run))


@user_group.command("add")
@click.argument("name")
@click.option("--role", required=True, help="角色：" + "、".join(f"{k}（{v}）" for k, v in ROLES.items()))
@click.option("--org", "org_code", required=True, help="数据范围：组织编码")
@click.option("--home", "home_code", default=None, help="所在单位：组织编码（回避其评分）")
@click.option("--display-name", default=None, help="显示的姓名（默认同用户名）")
@click.option("--password", prompt="密码", hide_input=True, confirmation_prompt="再次输入密码",
              help="不提供时交互输入")
@pass_ctx
def add_user(ctx: Context, name: str, role: str, org_code: str, home_code: str | None,
             display_name: str | None, password: str) -> None:
    """Create an account NAME bound to scope organisation --org."""
    with ctx.unit_of_work() as session:
        user = create_user(session, None, name, password, role, org_code,
                           display_name=display_name, home_org_code=home_code)
        home = f"，所在单位：{user.home_org.name}" if user.home_org else ""
        click.echo(f"已创建账号“{user.username}”（{user.role_label}，数据范围：{user.scope_org.name}{home}）")
