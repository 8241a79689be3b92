"""Self-assessment (自评填报), the unit's side: its targets, the per-target page with a typed
self-score, narrative and cited evidence per leaf, draft saves and the whole submission.

The assessor's review actions and the progress overview live in review.py, on this
same blueprint ("selfassess")."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from scorecard.domain.numbers import parse_id, plain
from scorecard.models import DOC_TYPES, RoundTarget
from scorecard.services import evidence as ev_svc
from scorecard.services import permissions
from scorecard.services.selfassess import fill as selfassess
from scorecard.services.selfassess import pages
from scorecard.web.common import actor, get_db, get_or_404, require, status_of, unit_of_work
from scorecard.web.evidence import upload_from_request, uploaded_message
from scorecard.web.scores.inputs import check_value, deduct_rows, parse_version, raw_from_form
from scorecard.web.selfassess import bp
from scorecard.web.selfassess.view import ACTIONS, build


@bp.route("/self")
@login_required
def index():
    require(permissions.is_unit(actor()))
    return render_template("selfassess/index.html", rows=pages.unit_list(get_db(), actor()),
                           today=selfassess.local_today())


def load_target(target_id: int) -> RoundTarget:
    tgt = get_or_404(get_db(), RoundTarget, target_id)
    require(permissions.can_view_self(actor(), tgt))
    return tgt


@bp.route("/self/targets/<int:target_id>")
@login_required
def target(target_id: int):
    return page(load_target(target_id))


def page(tgt: RoundTarget, kept: dict | None = None, status: int = 200):
    """The self-assessment page; `kept`: a refused save's input, shown again at its leaf."""
    data = pages.self_page(get_db(), actor(), tgt)
    groups = build(data, kept)
    leaves = [sl for _, ls in groups for sl in ls]
    return render_template(
        "selfassess/target.html", target=tgt, rnd=tgt.round, sa=data.sa, groups=groups,
        status=data.status, open=data.open, unit=data.unit, reviewer=data.reviewer, library=data.library,
        filled=sum(1 for sl in leaves if sl.item and sl.item.points is not None), count=len(leaves),
        pending=sum(1 for sl in leaves if sl.editable and sl.item), actions=ACTIONS,
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


class _Leaf:
    """The leaf's form as unit_of_work sees it: a refusal is kept for the leaf, not flashed."""

    class _Field:
        def __init__(self) -> None:
            self.errors: list[str] = []

    def __init__(self) -> None:
        self.leaf = self._Field()


@bp.route("/self/targets/<int:target_id>/items/<code>", methods=["POST"])
@login_required
def save(target_id: int, code: str):
    tgt = get_or_404(get_db(), RoundTarget, target_id)
    permissions.ensure(permissions.why_not_self_assess(actor(), tgt))
    found = selfassess.leaf_rule(tgt, code)
    if found is None:
        abort(404)
    ind, rule = found
    raw, narrative, version = _raw(rule, request.form), request.form.get("narrative", ""), request.form.get("version", "")
    ids = [i for i in map(parse_id, request.form.getlist("evidence")) if i is not None]
    uploaded, leaf = None, _Leaf()
    # a refusal rolls back, which also deletes a file uploaded in this request (services/evidence.py)
    with unit_of_work(form=leaf, field="leaf") as done:
        uploaded = upload_from_request(get_db(), tgt.org, prefix="new_")
        cited = ids + ([uploaded.evidence.id] if uploaded else [])
        selfassess.save_item(get_db(), actor(), tgt, ind, raw, narrative, cited,
                             expected_version=parse_version(version))
    if not done:
        kept = {code: {"values": raw or {}, "narrative": narrative, "version": version, "evidence": ids,
                       "error": "；".join(leaf.leaf.errors)}}
        return page(tgt, kept, status_of(done.error))
    if uploaded is not None:
        flash(*uploaded_message(uploaded))
    flash(f"已保存“{ind.code} {ind.name}”（草稿，尚未提交）", "success")
    return redirect(url_for("selfassess.target", target_id=tgt.id, _anchor=f"leaf-{ind.code}"))


@bp.route("/self/targets/<int:target_id>/submit", methods=["POST"])
@login_required
def submit(target_id: int):
    tgt = get_or_404(get_db(), RoundTarget, target_id)
    with unit_of_work() as done:
        sa = selfassess.submit(get_db(), actor(), tgt)
    if not done:
        return page(tgt, status=status_of(done.error))
    flash(f"“{tgt.org.name}”的自评已提交，等待考核员审核（当前状态：{sa.status_label}）", "success")
    return redirect(url_for("selfassess.target", target_id=tgt.id))
