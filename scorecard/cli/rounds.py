"""`scorecard round create|start-review|publish|finalize`, `scorecard export score-template|ranking|
votes-template` and `scorecard import scores|votes`. Every command acts as a user account (permissions apply)."""
from __future__ import annotations

import click
from sqlalchemy import select

from scorecard.cli.base import Context, export_group, import_group, pass_ctx, round_group
from scorecard.exports.ranking import export_ranking
from scorecard.exports.score_template import export_score_template
from scorecard.exports.votes_template import write_votes_template
from scorecard.exports.xlsx import writing
from scorecard.models import User
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.rounds import lifecycle as rounds
from scorecard.services.scoring import votes as votes_svc
from scorecard.services.scoring.exchange import import_score_file, read_target_codes

AS_HELP = ("以哪个账号的身份操作（用户名）。省略时：系统中只有一个启用的考核员账号则使用该账号，"
           "否则必须指定")


def acting_user(session, username: str | None) -> User:
    """The named active account; without a name, the only active assessor account."""
    if username:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            raise ServiceError(f"账号“{username}”不存在或已停用", "as")
        return user
    assessors = session.scalars(
        select(User).where(permissions.assessor_accounts(), User.active).order_by(User.id).limit(2)).all()
    if len(assessors) == 1:
        return assessors[0]
    why = "系统中没有启用的考核员账号" if not assessors else "系统中有多个考核员账号"
    raise ServiceError(f"请用 --as 指定操作账号（{why}）", "as")


def as_option(fn):
    return click.option("--as", "as_user", default=None, metavar="USERNAME", help=AS_HELP)(fn)


@round_group.command("create")
@click.option("--scheme", "scheme_code", required=True, help="方案编码（使用其最新的已发布版本）")
@click.option("--code", required=True, help="轮次编码，如 2025")
@click.option("--name", required=True, help="轮次名称，如“2025年度党建考核”")
@click.option("--targets", type=click.Path(exists=True, dir_okay=False), default=None,
              help="考核对象名单FILE.xlsx：含“组织编码”列（或 编码/单位编码/代码）；"
                   "省略时为操作账号范围内所有设置了考核类别的组织")
@click.option("--trimmed", is_flag=True, help="去掉一个最高分和一个最低分（考核员不少于5人时）")
@as_option
@pass_ctx
def create(ctx: Context, scheme_code: str, code: str, name: str, targets: str | None,
           trimmed: bool, as_user: str | None) -> None:
    """Open a round of scheme --scheme for its targets (phase 自评填报)."""
    with ctx.unit_of_work() as session:
        actor = acting_user(session, as_user)
        scheme = rounds.latest_published(session, scheme_code)
        codes = read_target_codes(targets) if targets else None
        rnd = rounds.create_round(session, actor, scheme, code, name, codes, trimmed)
        click.echo(f"已创建考核轮次“{rnd.code} {rnd.name}”：方案{scheme.code} 第{scheme.version}版，"
                   f"考核对象{len(rnd.targets)}个" + ("，去掉最高分和最低分" if trimmed else ""))


def _advance(ctx: Context, code: str, action: str, as_user: str | None, early_reason: str | None = None) -> None:
    with ctx.unit_of_work() as session:
        actor = acting_user(session, as_user)
        rnd = rounds.advance(session, actor, rounds.round_by_code(session, code), action,
                             early_reason=early_reason)
        extra = "，结果已冻结" if rnd.is_final else ""
        if rnd.publicity_close_reason:
            extra += f"；公示已提前结束（原定至{rnd.publicity_end}），原因：{rnd.publicity_close_reason}"
        click.echo(f"轮次“{rnd.code} {rnd.name}”已进入“{rnd.phase_label}”阶段{extra}")


@round_group.command("start-review")
@click.argument("code")
@as_option
@pass_ctx
def start_review(ctx: Context, code: str, as_user: str | None) -> None:
    """自评填报 → 审核评分."""
    _advance(ctx, code, "start_review", as_user)


@round_group.command("publish")
@click.argument("code")
@as_option
@pass_ctx
def publish(ctx: Context, code: str, as_user: str | None) -> None:
    """→ 公示 (results shown for appeal)."""
    _advance(ctx, code, "publish", as_user)


@round_group.command("finalize")
@click.argument("code")
@click.option("--early-reason", default=None, metavar="TEXT",
              help="公示期尚未结束时提前结束公示并定档的原因（记入审计日志）；公示期已结束时不需要")
@as_option
@pass_ctx
def finalize(ctx: Context, code: str, early_reason: str | None, as_user: str | None) -> None:
    """公示 → 已定档: freezes a snapshot; later exports come from it and never change. Refused while
    the 公示 window is open unless --early-reason gives the reason for closing it early (audited)."""
    _advance(ctx, code, "finalize", as_user, early_reason)


@export_group.command("score-template")
@click.option("--round", "round_code", required=True, help="轮次编码")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="输出文件 FILE.xlsx")
@as_option
@pass_ctx
def score_template(ctx: Context, round_code: str, out: str, as_user: str | None) -> None:
    """Write the score template of a round (prefilled with the account's own saved scores)."""
    with ctx.unit_of_work() as session:
        actor = acting_user(session, as_user)
        count = export_score_template(session, actor, rounds.round_by_code(session, round_code), out)
        click.echo(f"已导出评分表：{out}（{count}个考核对象）")


@export_group.command("ranking")
@click.option("--round", "round_code", required=True, help="轮次编码")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="输出文件 FILE.xlsx")
@as_option
@pass_ctx
def ranking(ctx: Context, round_code: str, out: str, as_user: str | None) -> None:
    """Write the ranking workbook (a finalized round: from its frozen snapshot)."""
    with ctx.unit_of_work() as session:
        actor = acting_user(session, as_user)
        report = export_ranking(session, actor, rounds.round_by_code(session, round_code), out)
        source = "定档快照" if report.final else f"{report.phase}阶段实时计算"
        click.echo(f"已导出排名表：{out}（{len(report.rows)}个考核对象，{source}）")


@import_group.command("scores")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--round", "round_code", required=True, help="轮次编码")
@click.option("--assessor", required=True, metavar="USERNAME", help="评分的考核员账号（用户名）")
@click.option("--dry-run", is_flag=True, help="只检查文件并显示将导入的数量，不写入数据库")
@pass_ctx
def import_scores(ctx: Context, file: str, round_code: str, assessor: str, dry_run: bool) -> None:
    """Import a filled score template FILE.xlsx as --assessor's scores (all or nothing)."""
    with ctx.unit_of_work(dry_run) as session:
        actor = acting_user(session, assessor)
        rnd = rounds.round_by_code(session, round_code)
        result = import_score_file(session, actor, rnd, file, dry_run=dry_run)
        verb = "将导入" if dry_run else "已导入"
        click.echo(f"{verb}{result.count}个评分（{result.targets}个考核对象，{result.leaves}个指标）")


def _votes_round(session, actor: User, code: str):
    """The round whose 述职评议 votes the actor manages (the web pages' rule)."""
    rnd = rounds.round_by_code(session, code)
    if not permissions.can_manage_publicity(actor, rnd):
        raise PermissionDenied()
    return rnd


@export_group.command("votes-template")
@click.argument("round_code", metavar="ROUND")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="输出文件 FILE.xlsx")
@as_option
@pass_ctx
def votes_template(ctx: Context, round_code: str, out: str, as_user: str | None) -> None:
    """Write the 述职评议 votes template of round ROUND (the web page's template)."""
    with ctx.unit_of_work() as session:
        actor = acting_user(session, as_user)
        rnd = _votes_round(session, actor, round_code)
        context = votes_svc.import_context(session, actor, rnd)
        with writing(out):
            write_votes_template(out, rnd.name, context)
        click.echo(f"已导出述职评议票模板：{out}（{len(context.targets)}个考核对象，{len(context.leaves)}个测评指标）")


@import_group.command("votes")
@click.argument("round_code", metavar="ROUND")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只检查文件并显示将导入的数量，不写入数据库")
@as_option
@pass_ctx
def import_votes(ctx: Context, round_code: str, file: str, dry_run: bool, as_user: str | None) -> None:
    """Import a filled 述职评议 votes workbook FILE.xlsx into round ROUND (all or nothing; the
    votes of each unit and indicator in the file replace the ones stored)."""
    with ctx.unit_of_work(dry_run) as session:
        actor = acting_user(session, as_user)
        rnd = _votes_round(session, actor, round_code)
        with open(file, "rb") as fh:
            n = votes_svc.import_votes(session, actor, rnd, fh.read())
        click.echo(f"{'将导入' if dry_run else '已导入'}评议票{n}张")
