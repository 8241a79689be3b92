"""述职评议 votes: the grid of one target's raters × vote leaves, and the round's Excel template
and import; services/scoring/votes.py reads and writes. On the scores blueprint, under the
/publicity/ URLs they always had."""
from __future__ import annotations

from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from scorecard.domain.numbers import parse_id
from scorecard.exports.votes_template import write_votes_template
from scorecard.models import Round, RoundTarget
from scorecard.services import permissions
from scorecard.services.scoring import votes as votes_svc
from scorecard.services.scoring.votes import GridRow
from scorecard.web.common import actor, get_db, get_or_404, require, send_workbook, unit_of_work
from scorecard.web.scores import bp

MAX_ROWS = 2000


def _page(target: RoundTarget, status: int = 200, rows: list[GridRow] | None = None):
    blank = request.args.get("blank", "")
    grid = votes_svc.vote_grid(get_db(), actor(), target, rows,
                               min(votes_svc.BLANK_ROWS if (n := parse_id(blank)) is None else n, MAX_ROWS))
    return render_template("scores/votes.html", target=target, rnd=target.round, leaves=grid.leaves,
                           options=grid.options, rows=grid.rows, tally=grid.tally,
                           editable=grid.editable), status


def _posted_rows(form) -> list[GridRow]:
    """Rows rater-<i> with their choices vote-<i>-<leaf code>, as submitted."""
    count = min(parse_id(form.get("rows", "")) or 0, MAX_ROWS)
    rows = [GridRow(form.get(f"rater-{i}", ""), {}) for i in range(count)]
    for key, value in form.items():
        parts = key.split("-", 2)
        index = parse_id(parts[1]) if len(parts) == 3 and parts[0] == "vote" else None
        if index is not None and index < count:
            rows[index].choices[parts[2]] = value
    return rows


@bp.route("/publicity/targets/<int:target_id>/votes", methods=["GET", "POST"])
@login_required
def votes(target_id: int):
    db = get_db()
    target = get_or_404(db, RoundTarget, target_id)
    if request.method == "GET":
        return _page(target)
    rows = _posted_rows(request.form)
    # The refusal is flashed below with “未保存：” (the grid names its rows); kept off the flash here.
    grid = SimpleNamespace(votes=SimpleNamespace(errors=[]))
    with unit_of_work(grid, "votes") as done:
        n = votes_svc.save_grid(db, actor(), target, rows)
    if not done:
        flash("未保存：" + done.error.message, "danger")
        return _page(target, 400, rows)
    flash(f"已保存评议票{n}张", "success")
    return redirect(url_for("scores.votes", target_id=target.id))


def _round(round_id: int) -> Round:
    rnd = get_or_404(get_db(), Round, round_id)
    require(permissions.can_manage_publicity(actor(), rnd))
    return rnd


@bp.route("/publicity/rounds/<int:round_id>/votes/template.xlsx")
@login_required
def votes_template(round_id: int):
    rnd = _round(round_id)
    ctx = votes_svc.import_context(get_db(), actor(), rnd)
    return send_workbook(f"{rnd.name}述职评议票", lambda path: write_votes_template(path, rnd.name, ctx))


@bp.route("/publicity/rounds/<int:round_id>/votes/import", methods=["GET", "POST"])
@login_required
def votes_import(round_id: int):
    rnd = _round(round_id)
    issues, status = [], 200
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("请选择要导入的评议票（.xlsx）", "danger")
            status = 400
        else:
            with unit_of_work() as done:
                n = votes_svc.import_votes(get_db(), actor(), rnd, upload.read())
            if done:
                flash(f"已导入评议票{n}张", "success")
                return redirect(url_for("scores.votes_import", round_id=rnd.id))
            issues, status = [str(i) for i in done.issues], 400
    return render_template("scores/votes_import.html", rnd=rnd, issues=issues), status
