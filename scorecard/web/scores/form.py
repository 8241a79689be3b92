"""Score entry: the per-target page (typed input per leaf rule); services/scoring/score_page.py
reads and saves. The grid and its JSON endpoint are in grid.py, the Excel template and import in
exchange.py; all of them register on this blueprint ("scores", no url_prefix)."""
from __future__ import annotations

from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from scorecard.domain.numbers import fmt, plain
from scorecard.models import RoundTarget
from scorecard.services.errors import ServiceError
from scorecard.services.scoring import score_page as page_svc
from scorecard.web.common import actor, get_db, get_or_404, status_of, unit_of_work
from scorecard.web.scores import bp
from scorecard.web.scores.inputs import check_value, deduct_rows, parse_version, raw_from_form


@bp.route("/targets/<int:target_id>/scores", methods=["GET", "POST"])
@login_required
def target(target_id: int):
    db = get_db()
    tgt = get_or_404(db, RoundTarget, target_id)
    if request.method == "POST":
        return _save(db, tgt)
    return _page(db, tgt)


def _page(db, tgt: RoundTarget, kept: dict | None = None, status: int = 200):
    page = page_svc.score_page(db, actor(), tgt, kept)
    return render_template(
        "scores/target.html", target=tgt, rnd=tgt.round, groups=page.groups, summary=page.summary,
        prev=page.prev, next=page.next, editable=page.editable,
        deduct_rows=deduct_rows, check_value=check_value, pts=plain, self_items=page.self_items,
    ), status


def _save(db, tgt: RoundTarget):
    code = (request.form.get("leaf") or "").strip()
    rule = page_svc.leaf_rule(tgt, code)
    if rule is None:
        flash(f"指标“{code}”不适用于该考核对象", "danger")
        return _page(db, tgt, status=400)
    clearing = request.form.get("action") == "clear"
    raw = None if clearing else raw_from_form(rule, request.form)
    comment = (request.form.get("comment") or "").strip()
    version = request.form.get("version") or ""
    # A refusal is shown on the leaf itself (not flashed), with what the user typed kept.
    beside = SimpleNamespace(leaf=SimpleNamespace(errors=[]))
    with unit_of_work(beside, "leaf") as done:  # a stale save too: the input stays beside the newer value
        saved = page_svc.save_leaf(db, actor(), tgt, code, raw, comment, parse_version(version))
    if not done:
        return _kept(db, tgt, code, raw, comment, version, done.error, status_of(done.error))
    if clearing:
        flash(f"已清除“{saved.label}”的评分", "info")
    else:
        flash(f"已保存“{saved.label}”：{fmt(saved.points)}分", "success")
        if saved.suggest_comment:
            flash(f"“{saved.label}”得分低于满分，建议填写评语说明扣分理由（非必填）", "warning")
    return redirect(url_for("scores.target", target_id=tgt.id, _anchor=f"leaf-{code}"))


def _kept(db, tgt: RoundTarget, code: str, raw: dict | None, comment: str, version: str,
          exc: ServiceError, status: int):
    kept = {code: {"values": raw or {}, "comment": comment, "version": version,
                   "error": exc.message, "field": exc.field}}
    return _page(db, tgt, kept, status)
