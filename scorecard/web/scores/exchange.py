"""Score template download and filled-template upload (services/scoring/exchange.py and exports/score_template.py do the work)."""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from scorecard.importers.common import ImportFailed
from scorecard.models import Round
from scorecard.services import permissions
from scorecard.services.errors import ServiceError
from scorecard.web.common import actor, get_db, get_or_404, require, status_of
from scorecard.web.scores import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _round(round_id: int) -> Round:
    rnd = get_or_404(get_db(), Round, round_id)
    require(permissions.can_change_round(actor(), rnd))
    return rnd


def _categories(rnd: Round) -> list:
    seen: dict[int, object] = {}
    for t in rnd.targets:
        seen.setdefault(t.category_id, t.category)
    return list(seen.values())


@bp.route("/rounds/<int:round_id>/scores/template.xlsx")
@login_required
def template(round_id: int):
    from scorecard.exports.score_template import export_score_template

    db, rnd = get_db(), _round(round_id)
    with tempfile.TemporaryDirectory(prefix="scorecard-") as tmp:
        path = Path(tmp) / "score-template.xlsx"
        try:
            export_score_template(db, actor(), rnd, str(path))
        except ServiceError as exc:
            db.rollback()
            flash(exc.message, "danger")
            return redirect(url_for("scores.import_file", round_id=rnd.id))
        data = path.read_bytes()
    db.rollback()  # an export writes nothing
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=f"{rnd.name}评分模板.xlsx")


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
            outcome = _run_import(rnd, upload.read(), bool(request.form.get("dry_run")))
            if outcome is None:
                return redirect(url_for("scores.import_file", round_id=rnd.id))
            issues, status = outcome
    return render_template("scores/import.html", rnd=rnd, issues=issues,
                           categories=_categories(rnd)), status


def _run_import(rnd: Round, data: bytes, dry_run: bool):
    """None on success (flashed, committed unless dry run); else (issues, HTTP status)."""
    from scorecard.services.scoring.exchange import import_score_file

    db = get_db()
    try:
        result = import_score_file(db, actor(), rnd, data, dry_run=dry_run)
    except ImportFailed as exc:
        db.rollback()
        return exc.issues, 400
    except ServiceError as exc:
        db.rollback()
        flash(exc.message, "danger")
        return [], status_of(exc)
    if dry_run:
        db.rollback()
        flash(f"检查通过：文件中共有{result.count}个分数可以导入（仅检查，未写入）", "success")
    else:
        db.commit()
        flash(f"已导入{result.count}个分数", "success")
    return None
