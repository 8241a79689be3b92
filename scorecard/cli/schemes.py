"""`scorecard import scheme`, `scorecard scheme publish`, `scorecard scheme show`."""
from __future__ import annotations

import click

from scorecard.cli.base import Context, import_group, pass_ctx, scheme_group
from scorecard.cli.rounds import acting_user
from scorecard.domain.numbers import fmt
from scorecard.importers.scheme import parse_scheme
from scorecard.models import Scheme
from scorecard.services.schemes import diff as schemes_diff
from scorecard.services.schemes import lifecycle as schemes


def _summary(scheme: Scheme) -> None:
    rows = schemes_diff.tree_rows(scheme)
    tops = [r.ind for r in rows if r.depth == 0]
    click.echo(f"指标 {len(rows)} 个，末级指标 {sum(1 for r in rows if r.leaf)} 个；满分 {fmt(scheme.full_marks)}")
    click.echo("一级指标：" + "；".join(f"{t.code} {t.name} {fmt(t.max_points)}分" for t in tops))
    click.echo(f"加减分项 {len(scheme.items)} 项；等次：" + "、".join(
        f"{t.name}≥{fmt(t.threshold)}" for t in scheme.tiers))
    click.echo("适用类别：" + ("、".join(c.name for c in scheme.categories) or "全部类别"))


def _check(scheme: Scheme) -> None:
    problems = schemes.validate_scheme(scheme)
    if not problems:
        click.echo("发布前检查：通过，可以发布")
        return
    click.echo(f"发布前检查：共{len(problems)}处问题，修正前不能发布：")
    for p in problems:
        click.echo(f"  - {p}")


@import_group.command("scheme")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--code", required=True, help="方案编码（已存在则导入为新版本）")
@click.option("--name", required=True, help="方案名称")
@click.option("--year", required=True, type=int, help="年度")
@click.option("--owner", "owner_code", default=None, metavar="ORG_CODE",
              help="制定方案的组织编码（只有范围包含它的账号能管理该方案）；省略时为 --as 账号的管理范围，"
                   "未指定账号时为顶层组织。导入已有编码的新版本时沿用原方案的制定单位")
@click.option("--as", "as_user", default=None, metavar="USERNAME",
              help="以哪个账号的身份导入（用户名，权限照常检查）；省略时以控制台身份导入")
@click.option("--dry-run", is_flag=True, help="只检查并显示结果，不写入数据库")
@pass_ctx
def import_scheme(ctx: Context, file: str, code: str, name: str, year: int, owner_code: str | None,
                  as_user: str | None, dry_run: bool) -> None:
    """Import a scheme workbook (own template or a published rulebook) as a draft."""
    with ctx.unit_of_work(dry_run) as session:
        actor = acting_user(session, as_user) if as_user else None
        owner = schemes.owner_for(session, actor, owner_code)
        parsed = parse_scheme(file)
        click.echo(f"文件版式：{schemes.LAYOUT_LABELS.get(parsed.layout, parsed.layout)}"
                   + (f"；文件中的方案名称：{parsed.title}" if parsed.title else ""))
        scheme = schemes.import_scheme(session, actor, parsed, code, name, year, owner)
        click.echo(f"制定单位：{scheme.owner_org.name}（{scheme.owner_org.code}）")
        _summary(scheme)
        _check(scheme)
        if not dry_run:
            click.echo(f"已导入方案 {schemes.label(scheme)}（草稿）")


@scheme_group.command("publish")
@click.argument("code")
@pass_ctx
def publish(ctx: Context, code: str) -> None:
    """Publish the latest draft of scheme CODE (the previous published version is archived)."""
    with ctx.unit_of_work() as session:
        scheme = schemes.by_code(session, code, status="draft")
        schemes.publish(session, None, scheme)
        click.echo(f"已发布方案 {schemes.label(scheme)}「{scheme.name}」")


@scheme_group.command("show")
@click.argument("code")
@click.option("--version", "version", type=int, help="版本号（默认最新版本）")
@pass_ctx
def show(ctx: Context, code: str, version: int | None) -> None:
    """Print the indicator tree of scheme CODE."""
    with ctx.unit_of_work(dry_run=False) as session:
        scheme = schemes.by_code(session, code, version=version)
        click.echo(f"{scheme.name}（{schemes.label(scheme)}，{scheme.status_label}，{scheme.year}年度）")
        _summary(scheme)
        for r in schemes_diff.tree_rows(scheme):
            rule = f"  [{r.rule}{' ' + r.params if r.params else ''}]" if r.leaf else ""
            cats = f"  (适用：{'、'.join(c.name for c in r.ind.categories)})" if r.ind.categories else ""
            click.echo(f"{'  ' * r.depth}{r.ind.code} {r.ind.name}  {fmt(r.ind.max_points)}分{rule}{cats}")
        if scheme.is_draft:
            _check(scheme)
