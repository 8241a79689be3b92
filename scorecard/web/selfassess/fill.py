"""Self-assessment (自评填报), the unit's side: its targets, the per-target page with a typed
self-score, narrative and cited evidence per leaf, draft saves and the whole submission.

The assessor's review actions and the progress overview live in review.py, on this
same blueprint ("selfassess")."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from scorecard.domain.numbers import fmt, plain
from scorecard.models import DOC_TYPES, RoundTarget
from scorecard.services import evidence as ev_svc
from scorecard.services import permissions
from scorecard.services.errors import ServiceError
from scorecard.services.rounds.ranking import round_structure
from scorecard.services.selfassess import fill as selfassess
from scorecard.web.common import actor, get_db, get_or_404, require, status_of
from scorecard.web.evidence import upload_from_request, uploaded_message
from scorecard.web.scores.inputs import check_value, deduct_rows, parse_version, raw_from_form
from scorecard.web.selfassess import bp
from scorecard.web.selfassess.view import ACTIONS, build, library


@bp.route("/self")
@login_required
def index():
    db = get_db()
    require(actor().role == "unit")
    rows = [(t, selfassess.header(db, t)) for t in selfassess.unit_targets(db, actor())]
    return render_template("selfassess/index.html", rows=rows, today=selfassess.local_today())


def load_target(target_id: int) -> RoundTarget:
    tgt = get_or_404(get_db(), RoundTarget, target_id)
    require(permissions.can_view_self(actor(), tgt))
    return tgt


@bp.route("/self/targets/<int:target_id>")
@login_required
def target(target_id: int):
    return page(get_db(), load_target(target_id))


def page(db, tgt: RoundTarget, kept: dict | None = None, status: int = 200, error: str | None = None):
    sa = selfassess.header(db, tgt)
    today = selfassess.local_today()
    groups = build(db, tgt, actor(), kept)
    leaves = [sl for _, ls in groups for sl in ls]
    return render_template(
        "selfassess/target.html", target=tgt, rnd=tgt.round, sa=sa, groups=groups, error=error,
        status=sa.status if sa else "not_started", open=selfassess.is_open(tgt.round, sa, today),
        unit=permissions.can_self_assess(actor(), tgt), reviewer=permissions.can_review(actor(), tgt),
        library=library(db, actor(), tgt), filled=sum(1 for sl in leaves if sl.item and sl.item.points is not None),
        count=len(leaves), pending=sum(1 for sl in leaves if sl.editable and sl.item), actions=ACTIONS,
        deduct_rows=deduct_rows, check_value=check_value, pts=plain, doc_types=DOC_TYPES,
        max_mb=current_app.config["MAX_EVIDENCE_MB"], allowed=ev_svc.ALLOWED_TEXT,
    ), status


def _raw(rule, form) -> dict | None:
    """The typed input, or None when a non-deduct leaf's fields are all empty (no score yet)."""
    raw = raw_from_form(rule, form)
    if rule.type == "deduct":
        return raw
    flat = [v for v in raw.values() if not isinstance(v, dict)] + \
        [v for d in raw.values() if isinstance(d, dict) for v in d.values()]
    return raw if any(v not in ("", None) for v in flat) else None


@bp.route("/self/targets/<int:target_id>/items/<code>", methods=["POST"])
@login_required
def save(target_id: int, code: str):
    db = get_db()
    tgt = load_target(target_id)
    require(permissions.can_self_assess(actor(), tgt))
    st = round_structure(tgt.round)
    if not st.applies(code, tgt.category.name):
        abort(404)
    ind, rule = st.leaf(code), st.rule(code)
    raw = _raw(rule, request.form)
    narrative = request.form.get("narrative", "")
    version = request.form.get("version", "")
    ids = [int(v) for v in request.form.getlist("evidence") if v.isdigit()]
    uploaded = None
    try:
        uploaded = upload_from_request(db, tgt.org, prefix="new_")
        if uploaded is not None:
            ids.append(uploaded.evidence.id)
        selfassess.save_item(db, actor(), tgt, ind, raw, narrative, ids, expected_version=parse_version(version))
    except ServiceError as exc:
        db.rollback()  # also deletes a file uploaded in this request (services/evidence.py)
        kept = {code: {"values": raw or {}, "narrative": narrative, "version": version,
                       "evidence": [i for i in ids if not uploaded or i != uploaded.evidence.id],
                       "error": exc.message}}
        return page(db, tgt, kept, status_of(exc))
    db.commit()
    if uploaded is not None:
        flash(*uploaded_message(uploaded))
    flash(f"已保存“{ind.code} {ind.name}”（草稿，尚未提交）", "success")
    return redirect(url_for("selfassess.target", target_id=tgt.id, _anchor=f"leaf-{ind.code}"))


@bp.route("/self/targets/<int:target_id>/submit", methods=["POST"])
@login_required
def submit(target_id: int):
    db = get_db()
    tgt = load_target(target_id)
    require(permissions.can_self_assess(actor(), tgt))
    try:
        sa = selfassess.submit(db, actor(), tgt)
    except ServiceError as exc:
        db.rollback()
        return page(db, tgt, status=status_of(exc), error=exc.message)
    db.commit()
    flash(f"“{tgt.org.name}”的自评已提交，等待考核员审核（当前状态：{sa.status_label}）", "success")
    return redirect(url_for("selfassess.target", target_id=tgt.id))


__all__ = ["bp", "fmt"]
