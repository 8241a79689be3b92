"""Assessors' inputs beside the scores: 实地核验 visits per target, 述职评议 votes per target
(grid) and per round (Excel template and import). Registered on the publicity blueprint."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from scorecard.importers.common import ImportFailed
from scorecard.importers.votes import parse_votes
from scorecard.models import Round, RoundTarget, Score, VerificationVisit
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.rounds.ranking import round_structure
from scorecard.services.scoring import verification as verify_svc
from scorecard.services.scoring import votes as votes_svc
from scorecard.services.scoring.leaf_sources import collect
from scorecard.services.scoring.verification import SampledLeaf
from scorecard.services.scoring.votes import GridRow
from scorecard.web.common import actor, get_db, get_or_404, require, send_workbook
from scorecard.web.publicity.unit import posted, today
from scorecard.web.scores import bp

BLANK_ROWS = 5


def _assessor_target(target_id: int, predicate) -> RoundTarget:
    target = get_or_404(get_db(), RoundTarget, target_id)
    require(predicate(current_user, target))
    return target


def _self_points(db, target: RoundTarget) -> dict[int, object]:
    """The unit's self-scores per leaf id, when the self-assessment area is present."""
    try:
        from scorecard.models.selfassess import SelfItem
    except ImportError:  # pragma: no cover - the area is optional
        return {}
    return {i.indicator_id: i.points for i in db.scalars(select(SelfItem).where(SelfItem.target_id == target.id))}


def _leaf_rows(db, target: RoundTarget) -> list[dict]:
    st = round_structure(target.round)
    sources = collect(db, target.round, st)
    scores = defaultdict(list)
    for s in db.scalars(select(Score).where(Score.target_id == target.id).order_by(Score.id)):
        scores[s.indicator_id].append(s)
    own = _self_points(db, target)
    from scorecard.domain.scoring import leaf_final

    rows = []
    for leaf in st.leaves_for(target.category.name):
        mean = leaf_final([s.points for s in scores[leaf.id]], target.round.trimmed)
        out = sources.outcome(target.id, leaf.code, mean)
        rows.append({"leaf": leaf, "self": own.get(leaf.id), "scores": scores[leaf.id], "mean": mean,
                     "final": out.points, "source": out.source_label if out.replaced else ""})
    return rows


def render_verify(target: RoundTarget, status: int = 200, form=None):
    db = get_db()
    return render_template("scores/verify.html", target=target, rnd=target.round,
                           leaves=_leaf_rows(db, target), visits=verify_svc.visits_of(db, target),
                           editable=permissions.can_verify(current_user, target), form=form or {},
                           today=today()), status


@bp.route("/publicity/targets/<int:target_id>/verify", methods=["GET", "POST"])
@login_required
def verify(target_id: int):
    target = _assessor_target(target_id, permissions.can_view_votes)
    if request.method == "GET":
        return render_verify(target)
    require(permissions.can_verify(current_user, target))
    if not posted():
        abort(400)
    db = get_db()
    f = request.form
    st = round_structure(target.round)
    sampled = [SampledLeaf(leaf, f.get(f"points-{leaf.code}", ""), f.get(f"reason-{leaf.code}", ""))
               for leaf in st.leaves_for(target.category.name) if f.get(f"sample-{leaf.code}")]
    try:
        try:
            day = dt.date.fromisoformat(f.get("visit_date", "").strip()) if f.get("visit_date", "").strip() else None
        except ValueError:
            raise ServiceError(f"核验日期“{f.get('visit_date')}”不是有效的日期（格式：2025-11-20）", "visit_date")
        verify_svc.record_visit(db, actor(), target, day, f.get("team", ""), f.get("findings", ""), sampled,
                                today=today())
    except PermissionDenied:
        abort(403)
    except ServiceError as exc:
        db.rollback()
        flash(exc.message, "danger")
        return render_verify(target, 400, f)
    db.commit()
    flash(f"已记录实地核验（抽查{len(sampled)}项）", "success")
    return redirect(url_for("scores.verify", target_id=target.id))


@bp.route("/publicity/visits/<int:visit_id>/delete", methods=["POST"])
@login_required
def delete_visit(visit_id: int):
    db = get_db()
    visit = get_or_404(db, VerificationVisit, visit_id)
    target = _assessor_target(visit.target_id, permissions.can_verify)
    if not posted():
        abort(400)
    try:
        verify_svc.delete_visit(db, actor(), visit, request.form.get("reason", ""))
    except ServiceError as exc:
        db.rollback()
        flash(exc.message, "danger")
        return render_verify(target, 400)
    db.commit()
    flash("已撤销该次核验记录", "success")
    return redirect(url_for("scores.verify", target_id=target.id))


# -- 述职评议 votes --------------------------------------------------------------------------

def render_votes(target: RoundTarget, status: int = 200, rows: list[GridRow] | None = None):
    db = get_db()
    st = round_structure(target.round)
    leaves = votes_svc.vote_leaves(target, st)
    if rows is None:
        current = votes_svc.votes_of(db, actor(), target)
        raters: dict[str, dict[str, str]] = {}
        for leaf in leaves:
            for rater, choice in current.get(leaf.id, {}).items():
                raters.setdefault(rater, {})[leaf.code] = choice
        rows = [GridRow(r, c) for r, c in raters.items()]
        extra = request.args.get("blank", "")
        rows += [GridRow("", {}) for _ in range(min(int(extra), 500) if extra.isdigit() else BLANK_ROWS)]
    options = {leaf.code: [name for name, _ in st.rule(leaf.code).params["weights"]] for leaf in leaves}
    return render_template("scores/votes.html", target=target, rnd=target.round, leaves=leaves,
                           options=options, rows=rows, tally=votes_svc.tally(db, target, st),
                           editable=permissions.can_enter_votes(current_user, target)), status


@bp.route("/publicity/targets/<int:target_id>/votes", methods=["GET", "POST"])
@login_required
def votes(target_id: int):
    target = _assessor_target(target_id, permissions.can_view_votes)
    if request.method == "GET":
        return render_votes(target)
    require(permissions.can_enter_votes(current_user, target))
    if not posted():
        abort(400)
    db = get_db()
    leaves = votes_svc.vote_leaves(target)
    count = int(request.form.get("rows", "0") or 0) if request.form.get("rows", "").isdigit() else 0
    rows = [GridRow(request.form.get(f"rater-{i}", ""),
                    {leaf.code: request.form.get(f"vote-{i}-{leaf.code}", "") for leaf in leaves})
            for i in range(min(count, 2000))]
    try:
        n = votes_svc.save_grid(db, actor(), target, rows)
    except PermissionDenied:
        abort(403)
    except ServiceError as exc:
        db.rollback()
        flash("未保存：" + exc.message, "danger")
        return render_votes(target, 400, rows)
    db.commit()
    flash(f"已保存评议票{n}张", "success")
    return redirect(url_for("scores.votes", target_id=target.id))


def _round(round_id: int) -> Round:
    rnd = get_or_404(get_db(), Round, round_id)
    require(permissions.can_manage_publicity(current_user, rnd))
    return rnd


@bp.route("/publicity/rounds/<int:round_id>/votes/template.xlsx")
@login_required
def votes_template(round_id: int):
    from scorecard.exports.votes_template import write_votes_template

    rnd = _round(round_id)
    ctx = votes_svc.import_context(get_db(), actor(), rnd)
    return send_workbook(f"{rnd.name}述职评议票", lambda path: write_votes_template(path, rnd.name, ctx))


@bp.route("/publicity/rounds/<int:round_id>/votes/import", methods=["GET", "POST"])
@login_required
def votes_import(round_id: int):
    rnd = _round(round_id)
    issues, status = [], 200
    if request.method == "POST":
        if not posted():
            abort(400)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("请选择要导入的评议票（.xlsx）", "danger")
            status = 400
        else:
            db = get_db()
            try:
                rows = parse_votes(upload.read(), votes_svc.import_context(db, actor(), rnd))
                n = votes_svc.apply_import(db, actor(), rnd, rows)
            except ImportFailed as exc:
                db.rollback()
                issues, status = [str(i) for i in exc.issues], 400
            except PermissionDenied as exc:
                db.rollback()
                flash(exc.message, "danger")
                status = 403
            except ServiceError as exc:
                db.rollback()
                flash(exc.message, "danger")
                status = 400
            else:
                db.commit()
                flash(f"已导入评议票{n}张", "success")
                return redirect(url_for("scores.votes_import", round_id=rnd.id))
    return render_template("scores/votes_import.html", rnd=rnd, issues=issues), status
