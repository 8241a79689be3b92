"""Score entry: the per-target page (typed input per leaf rule).

The spreadsheet grid and its JSON save endpoint live in scores_grid.py, the Excel template and
import in scores_io.py; all of them register on this blueprint ("scores", no url_prefix).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from scorecard.domain.numbers import fmt, plain
from scorecard.models import RoundTarget
from scorecard.services import permissions
from scorecard.services.errors import ServiceError
from scorecard.services.rounds.ranking import round_structure
from scorecard.services.scoring.scores import save_score
from scorecard.web.common import actor, get_db, get_or_404, status_of
from scorecard.web.scores import bp
from scorecard.web.scores.inputs import (
    check_value,
    deduct_rows,
    leaf_groups,
    neighbours,
    parse_version,
    raw_from_form,
    summary,
    target_access,
)
from scorecard.web.scores.self_scores import self_beside


@bp.route("/targets/<int:target_id>/scores", methods=["GET", "POST"])
@login_required
def target(target_id: int):
    db = get_db()
    tgt = get_or_404(db, RoundTarget, target_id)
    denied = target_access(actor(), tgt)
    if denied:
        return denied
    if request.method == "POST":
        return _save(db, tgt)
    return _page(db, tgt)


def _page(db, tgt: RoundTarget, kept: dict | None = None, status: int = 200):
    st = round_structure(tgt.round)
    groups = leaf_groups(db, st, tgt, actor(), kept)
    prev, nxt = neighbours(actor(), tgt)
    return render_template(
        "scores/target.html", target=tgt, rnd=tgt.round, groups=groups, summary=summary(groups),
        prev=prev, next=nxt, editable=permissions.can_score(actor(), tgt),
        deduct_rows=deduct_rows, check_value=check_value, pts=plain,
        self_items=self_beside(db, actor(), tgt),
    ), status


def _save(db, tgt: RoundTarget):
    st = round_structure(tgt.round)
    code = (request.form.get("leaf") or "").strip()
    if not st.applies(code, tgt.category.name):
        flash(f"指标“{code}”不适用于该考核对象", "danger")
        return _page(db, tgt, status=400)
    ind, rule = st.leaf(code), st.rule(code)
    clearing = request.form.get("action") == "clear"
    raw = None if clearing else raw_from_form(rule, request.form)
    comment = (request.form.get("comment") or "").strip()
    version = request.form.get("version") or ""
    try:
        res = save_score(db, actor(), tgt, ind, raw, comment=comment, expected_version=parse_version(version))
    except ServiceError as exc:
        db.rollback()
        kept = {code: {"values": raw or {}, "comment": comment, "version": version,
                       "error": exc.message, "field": exc.field}}
        return _page(db, tgt, kept, status_of(exc))
    db.commit()
    label = f"{ind.code} {ind.name}"
    if clearing:
        flash(f"已清除“{label}”的评分", "info")
    else:
        flash(f"已保存“{label}”：{fmt(res.points)}分", "success")
        if res.points < ind.max_points and not comment and rule.type != "deduct":
            flash(f"“{label}”得分低于满分，建议填写评语说明扣分理由（非必填）", "warning")
    return redirect(url_for("scores.target", target_id=tgt.id, _anchor=f"leaf-{ind.code}"))


# Register the grid/API and import/template routes on this blueprint.
from scorecard.web.scores import grid as scores_grid  # noqa: E402,F401
