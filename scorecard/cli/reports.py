"""`scorecard export loss-analysis|groups|score-cards|compare|progress --round R --out FILE.xlsx`: the
analysis workbooks of a round, with the same permissions as the web pages (web/reports/tables.py)."""
from __future__ import annotations

import click

from scorecard.cli.base import Context, export_group, pass_ctx
from scorecard.cli.rounds import acting_user, as_option
from scorecard.exports.reports import (
    write_cards_workbook,
    write_compare_workbook,
    write_group_workbook,
    write_loss_workbook,
    write_progress_workbook,
)
from scorecard.services.reports import analysis
from scorecard.services.reports import progress as progress_report
from scorecard.services.rounds import lifecycle as rounds


def _common(fn):
    fn = click.option("--round", "round_code", required=True, help="轮次编码")(fn)
    fn = click.option("--out", required=True, type=click.Path(dir_okay=False), help="输出文件 FILE.xlsx")(fn)
    return as_option(fn)


@export_group.command("loss-analysis")
@_common
@pass_ctx
def loss_analysis(ctx: Context, round_code: str, out: str, as_user: str | None) -> None:
    """指标失分分析: per leaf, average, loss rate, units that lost points, common reasons."""
    with ctx.unit_of_work() as session:
        rnd = rounds.round_by_code(session, round_code)
        report, rows = analysis.loss_analysis(session, acting_user(session, as_user), rnd)
        with analysis.writing(out):
            write_loss_workbook(report, rows, out)
        click.echo(f"已导出失分分析：{out}（{len(rows)}个末级指标）")


@export_group.command("groups")
@_common
@pass_ctx
def groups(ctx: Context, round_code: str, out: str, as_user: str | None) -> None:
    """片组汇总: per group, members, average total, best and weakest."""
    with ctx.unit_of_work() as session:
        rnd = rounds.round_by_code(session, round_code)
        report, rows = analysis.group_summary(session, acting_user(session, as_user), rnd)
        with analysis.writing(out):
            write_group_workbook(report, rows, out)
        click.echo(f"已导出片组汇总：{out}（{len(rows)}个片组）")


@export_group.command("score-cards")
@_common
@click.option("--category", default=None, help="只导出该考核类别")
@pass_ctx
def score_cards(ctx: Context, round_code: str, out: str, as_user: str | None, category: str | None) -> None:
    """考核评分卡: one printable sheet per target."""
    with ctx.unit_of_work() as session:
        rnd = rounds.round_by_code(session, round_code)
        actor = acting_user(session, as_user)
        report, cards = analysis.score_cards(session, actor, rnd, category)
        left_out = analysis.withheld_cards(actor, rnd, category)
        with analysis.writing(out):
            write_cards_workbook(report, cards, out, withheld=left_out)
        click.echo(f"已导出评分卡：{out}（{len(cards)}个考核对象）"
                   + (f"；按回避规定未包含本人所在单位的评分卡{left_out}份" if left_out else ""))


@export_group.command("compare")
@_common
@click.option("--against", "against", required=True, help="对比的另一轮次编码（同一方案）")
@pass_ctx
def compare(ctx: Context, round_code: str, out: str, as_user: str | None, against: str) -> None:
    """两轮对比: totals, ranks and tiers of two rounds of the same scheme."""
    with ctx.unit_of_work() as session:
        rnd, other = rounds.round_by_code(session, round_code), rounds.round_by_code(session, against)
        current, previous, rows = analysis.compare_rounds(session, acting_user(session, as_user), rnd, other)
        with analysis.writing(out):
            write_compare_workbook(current, previous, rows, out)
        click.echo(f"已导出两轮对比：{out}（{len(rows)}个组织）")


@export_group.command("progress")
@_common
@pass_ctx
def progress(ctx: Context, round_code: str, out: str, as_user: str | None) -> None:
    """进度与逾期: self-assessment states per category, assessors' scoring progress, overdue units."""
    with ctx.unit_of_work() as session:
        rnd = rounds.round_by_code(session, round_code)
        report = progress_report.progress_report(session, acting_user(session, as_user), rnd)
        with analysis.writing(out):
            write_progress_workbook(report, out)
        click.echo(f"已导出进度与逾期：{out}（{len(report.targets)}个考核对象，逾期未提交{len(report.overdue)}个）")
