"""Analysis reports of a round (分析报表): 指标失分分析, 片组汇总, 考核评分卡, 两轮对比, 进度与逾期.

Every page renders the same column specs (exports/report_columns.py) that its Excel download
writes. Assessors, leaders and admins see the rounds in their scope; units and clerks get 403.
Long exports run as background jobs (web/reports/jobs.py) registered on this blueprint."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from scorecard.domain.numbers import parse_id
from scorecard.exports import reports as xl
from scorecard.exports.report_columns import (
    card_columns,
    card_lines,
    card_summary_columns,
    compare_columns,
    group_columns,
    loss_columns,
    overdue_columns,
    progress_columns,
    scoring_columns,
)
from scorecard.models import Round
from scorecard.services import permissions
from scorecard.services.reports import analysis
from scorecard.services.reports import progress as progress_report
from scorecard.web.common import (
    actor,
    cell_text,
    exporting,
    get_db,
    get_or_404,
    require,
    send_workbook,
    table_header,
)
from scorecard.web.reports import bp


def load_round(round_id: int) -> Round:
    rnd = get_or_404(get_db(), Round, round_id)
    require(permissions.can_view_ranking(current_user, rnd))
    return rnd


def report_cell(col, item) -> str:
    value = col.value(item)
    if col.key == "rank_move" and isinstance(value, int) and value > 0:
        return f"+{value}"
    return cell_text(col, item)


def table(cols, items) -> dict:
    return {"cols": cols, "header": table_header(cols),
            "rows": [[(c.key, c.kind, report_cell(c, item)) for c in cols] for item in items]}


def _call(fn, *args, **kwargs):
    """A report service on the request's session as the signed-in user (a refusal: the app's 403)."""
    return fn(get_db(), actor(), *args, **kwargs)


@bp.route("/rounds/<int:round_id>/")
@login_required
def index(round_id: int):
    rnd = load_round(round_id)
    others = analysis.comparable_rounds(get_db(), actor(), rnd)
    return render_template("reports/index.html", rnd=rnd, others=others)


@bp.route("/rounds/<int:round_id>/loss")
@login_required
def loss(round_id: int):
    rnd = load_round(round_id)
    ranking, rows = _call(analysis.loss_analysis, rnd)
    return render_template("reports/table.html", rnd=rnd, ranking=ranking, title="指标失分分析",
                           xlsx=url_for("reports.loss_xlsx", round_id=rnd.id), t=table(loss_columns(), rows),
                           intro="每个末级指标：适用对象中已评分的平均得分、失分率（失分合计÷应得分合计）、"
                                 "得分低于分值的单位数，以及考核员填写最多的扣分原因。")


@bp.route("/rounds/<int:round_id>/loss.xlsx")
@login_required
@exporting
def loss_xlsx(round_id: int):
    rnd = load_round(round_id)
    ranking, rows = _call(analysis.loss_analysis, rnd)
    return send_workbook(f"{ranking.round_name}指标失分分析", lambda p: xl.write_loss_workbook(ranking, rows, p))


@bp.route("/rounds/<int:round_id>/groups")
@login_required
def groups(round_id: int):
    rnd = load_round(round_id)
    ranking, rows = _call(analysis.group_summary, rnd)
    return render_template("reports/table.html", rnd=rnd, ranking=ranking, title="片组汇总",
                           xlsx=url_for("reports.groups_xlsx", round_id=rnd.id), t=table(group_columns(), rows),
                           intro="每个党建片组：成员数、成员总分的平均值、总分最高和最低的成员（跨类别，仅供比较片组整体情况）。")


@bp.route("/rounds/<int:round_id>/groups.xlsx")
@login_required
@exporting
def groups_xlsx(round_id: int):
    rnd = load_round(round_id)
    ranking, rows = _call(analysis.group_summary, rnd)
    return send_workbook(f"{ranking.round_name}片组汇总", lambda p: xl.write_group_workbook(ranking, rows, p))


@bp.route("/rounds/<int:round_id>/cards")
@login_required
def cards(round_id: int):
    rnd = load_round(round_id)
    shown = _call(analysis.category_cards, rnd, request.args.get("category") or None)
    if shown is None:
        abort(404)
    return render_template("reports/cards.html", rnd=rnd, ranking=shown.ranking, category=shown.category,
                           withheld=shown.withheld,
                           cards=[(c, table(card_summary_columns(), [c]), table(card_columns(), card_lines(c)))
                                  for c in shown.cards])


@bp.route("/rounds/<int:round_id>/cards.xlsx")
@login_required
@exporting
def cards_xlsx(round_id: int):
    rnd = load_round(round_id)
    shown = _call(analysis.category_cards, rnd, request.args.get("category") or None, first_by_default=False)
    if shown is None:
        abort(404)
    title = f"{shown.ranking.round_name}考核评分卡" + (f"（{shown.category}）" if shown.category else "")
    return send_workbook(title, lambda p: xl.write_cards_workbook(shown.ranking, shown.cards, p,
                                                                   withheld=shown.withheld))


def _other_round(rnd: Round) -> Round:
    other_id = request.args.get("against", type=parse_id)
    if other_id is None:
        abort(404)
    other = get_or_404(get_db(), Round, other_id)
    require(permissions.can_view_ranking(current_user, other))
    return other


def _refused_comparison(rnd: Round, other: Round):
    """Back to the reports list with the reason two rounds cannot be compared (None: they can)."""
    reason = analysis.why_not_compare(rnd, other)
    if reason is None:
        return None
    flash(reason, "danger")
    return redirect(url_for("reports.index", round_id=rnd.id))


@bp.route("/rounds/<int:round_id>/compare")
@login_required
def compare(round_id: int):
    rnd = load_round(round_id)
    other = _other_round(rnd)
    refused = _refused_comparison(rnd, other)
    if refused:
        return refused
    current, previous, rows = _call(analysis.compare_rounds, rnd, other)
    return render_template("reports/table.html", rnd=rnd, ranking=current, title=f"与“{previous.round_name}”对比",
                           xlsx=url_for("reports.compare_xlsx", round_id=rnd.id, against=other.id),
                           t=table(compare_columns(), rows),
                           intro="按组织编码对应两轮的考核对象；排名为各自轮次类别内的名次，“升降”为名次变化（正数为上升）。")


@bp.route("/rounds/<int:round_id>/compare.xlsx")
@login_required
@exporting
def compare_xlsx(round_id: int):
    rnd = load_round(round_id)
    other = _other_round(rnd)
    refused = _refused_comparison(rnd, other)
    if refused:
        return refused
    current, previous, rows = _call(analysis.compare_rounds, rnd, other)
    return send_workbook(f"{current.round_name}与{previous.round_name}对比",
                         lambda p: xl.write_compare_workbook(current, previous, rows, p))


@bp.route("/rounds/<int:round_id>/progress")
@login_required
def progress(round_id: int):
    rnd = load_round(round_id)
    report = _call(progress_report.progress_report, rnd)
    return render_template("reports/progress.html", rnd=rnd, report=report,
                           categories=table(progress_columns(), [*report.categories, progress_report.totals(report)]),
                           scoring=table(scoring_columns(report.assessors), report.targets),
                           overdue=table(overdue_columns(), report.overdue))


@bp.route("/rounds/<int:round_id>/progress.xlsx")
@login_required
@exporting
def progress_xlsx(round_id: int):
    rnd = load_round(round_id)
    report = _call(progress_report.progress_report, rnd)
    return send_workbook(f"{report.round_name}进度与逾期", lambda p: xl.write_progress_workbook(report, p))

