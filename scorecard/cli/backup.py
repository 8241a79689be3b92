"""`scorecard backup --out FILE` and `scorecard restore FILE`."""
from __future__ import annotations

import sys

import click

from scorecard import backup as backups
from scorecard.cli.base import Context, main, pass_ctx


@main.command("backup")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="备份文件")
@pass_ctx
def backup_cmd(ctx: Context, out: str) -> None:
    """Write a consistent copy of the whole database to FILE (SQLite backup API / pg_dump)."""
    ctx.engine.dispose()
    try:
        path = backups.backup(ctx.config["DATABASE_URL"], out)
    except backups.BackupError as exc:
        click.echo(f"备份失败：{exc}", err=True)
        sys.exit(1)
    click.echo(f"已备份到：{path}（{path.stat().st_size:,} 字节）")


@main.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="不再确认，直接用备份替换当前数据库")
@pass_ctx
def restore_cmd(ctx: Context, file: str, yes: bool) -> None:
    """Replace the whole database with the backup FILE (all or nothing)."""
    if not yes:
        click.confirm("恢复将用备份替换当前数据库中的全部数据，确定继续吗？", abort=True)
    ctx.engine.dispose()
    try:
        backups.restore(ctx.config["DATABASE_URL"], file)
    except backups.BackupError as exc:
        click.echo(f"恢复失败，数据库未作修改：{exc}", err=True)
        sys.exit(1)
    click.echo(f"已从备份恢复：{file}。如备份来自旧版本，请运行 scorecard init 升级数据库结构。")
