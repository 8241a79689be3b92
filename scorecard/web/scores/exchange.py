"""Score template download and filled-template upload (services/scoring/exchange.py and
exports/score_template.py do the work)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from scorecard.exports.score_template import export_score_template
from scorecard.models import Round
from scorecard.services import permissions
from scorecard.services.scoring import grid as grid_svc
from scorecard.services.scoring.exchange import import_score_file
from scorecard.web.common import actor, get_db, get_or_404, require, send_workbook, unit_of_work
from scorecard.web.scores import bp


def _round(round_id: int) -> Round:
    rnd = get_or_404(get_db(), Round, round_id)
    require(permissions.can_change_round(actor(), rnd))
    return rnd


@bp.route("/rounds/<int:round_id>/scores/template.xlsx")
@login_required
def template(round_id: int):
    db, rnd = get_db(), _round(round_id)
    with unit_of_work() as done:  # an export writes nothing; a refusal is flashed on the import page
        sent = send_workbook(f"{rnd.name}评分模板", lambda path: export_score_template(db, actor(), rnd, str(path)))
    if not done:
        return redirect(url_for("scores.import_file", round_id=rnd.id))
    return sent


@bp.route("/rounds/<int:round_id>/scores/import", methods=["GET", "POST"])
@login_required
def import_file(round_id: int):
    rnd = _round(round_id)
    issues, status = [], 200
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("请选择要导入的评分表（.xlsx）", "danger")
            status = 400
        else:
            dry_run = bool(request.form.get("dry_run"))
            # A dry run writes nothing, so committing it is harmless.
            with unit_of_work() as done:
                result = import_score_file(get_db(), actor(), rnd, upload.read(), dry_run=dry_run)
            if done:
                flash(f"检查通过：文件中共有{result.count}个分数可以导入（仅检查，未写入）" if dry_run
                      else f"已导入{result.count}个分数", "success")
                return redirect(url_for("scores.import_file", round_id=rnd.id))
            issues, status = done.issues, 400
    return render_template("scores/import.html", rnd=rnd, issues=issues,
                           categories=grid_svc.categories(get_db(), rnd)), status
