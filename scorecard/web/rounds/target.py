"""One target of a round, explained: every applicable leaf with each assessor's input, the
first-level subtotals, base (and 折算), bonus/penalty items, total, rank, tier and notes.
Assessors who may adjust get the forms for bonus/penalty items, 一票否决 and tier override.

Registered on the rounds blueprint (see the end of rounds.py).
"""
from __future__ import annotations

from collections import defaultdict

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from scorecard.domain.numbers import fmt
from scorecard.domain.rules import RULE_LABELS, RuleError, describe_input
from scorecard.models import Adjustment, RoundTarget, Score
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.rounds import adjustments as adj_svc
from scorecard.services.rounds.ranking import ranking_for, round_structure
from scorecard.web.common import actor, get_db, get_or_404, require
from scorecard.web.rounds import bp
from scorecard.web.rounds.overview import field_error

_REASON = [DataRequired("请填写原因"), Length(max=2000, message="原因不能超过2000个字符")]


class AddAdjustmentForm(FlaskForm):
    item = SelectField("加减分项", coerce=int, validate_choice=False,
                       invalid_value_message="请选择加减分项", validators=[DataRequired("请选择加减分项")])
    points = StringField("分值（留空按该项规定分值）")
    reason = TextAreaField("原因", validators=_REASON)


class RemoveAdjustmentForm(FlaskForm):
    reason = TextAreaField("撤销原因", validators=_REASON)


class VetoForm(FlaskForm):
    on = HiddenField()
    reason = TextAreaField("原因", validators=_REASON)


class OverrideForm(FlaskForm):
    tier = SelectField("调整后等次", validate_choice=False)
    reason = TextAreaField("原因", validators=_REASON)


def _target(target_id: int, adjust: bool = False) -> RoundTarget:
    target = get_or_404(get_db(), RoundTarget, target_id)
    require(permissions.can_view_ranking(current_user, target.round))
    if adjust:
        require(permissions.can_adjust(current_user, target))
    return target


def _item_label(item) -> str:
    parts = [item.kind_label]
    if item.points is not None:
        parts.append(f"每项{fmt(item.points)}分")
    if item.cap is not None:
        parts.append(f"上限{fmt(item.cap)}分")
    return f"{item.code} {item.name}（{'，'.join(parts)}）"


def _forms(target: RoundTarget, given: dict) -> dict:
    """The adjustment forms, fresh unless one was just submitted with errors."""
    scheme = target.round.scheme
    add = given.get("add") or AddAdjustmentForm(prefix="add", formdata=None)
    add.item.choices = [(i.id, _item_label(i)) for i in scheme.items]
    veto = given.get("veto") or VetoForm(prefix="veto", formdata=None, on="0" if target.veto else "1")
    override = given.get("override") or OverrideForm(prefix="ovr", formdata=None, tier=target.tier_override or "")
    override.tier.choices = [("", "（不调整，按计算结果）")] + [(t.name, t.name) for t in scheme.tiers]
    removes = {a.id: RemoveAdjustmentForm(prefix=f"rm{a.id}", formdata=None) for a in target.adjustments}
    if given.get("remove"):
        removes[given["remove_id"]] = given["remove"]
    return {"add": add, "veto": veto, "override": override, "removes": removes}


def _describe(st, code: str, data: dict) -> str:
    try:
        return describe_input(st.rule(code), data)
    except (RuleError, KeyError, TypeError, ValueError):
        return ""


def _leaf_groups(db, target: RoundTarget, row) -> list[dict]:
    """Applicable leaves grouped under their first level, with every assessor's input."""
    st = round_structure(target.round)
    scores = db.scalars(select(Score).where(Score.target_id == target.id)
                        .options(selectinload(Score.assessor)).order_by(Score.id)).all()
    by_leaf = defaultdict(list)
    for s in scores:
        by_leaf[s.indicator_id].append(s)
    groups: dict[str, dict] = {}
    for leaf in st.leaves_for(target.category.name):
        top = st.by_code[st.top_of[leaf.code]]
        g = groups.setdefault(top.code, {"code": top.code, "name": top.name, "full": 0, "leaves": [],
                                         "subtotal": row.subtotals.get(top.code) if row else None})
        g["full"] += leaf.max_points
        g["leaves"].append({
            "code": leaf.code, "name": leaf.name, "max": leaf.max_points, "rule_text": leaf.rule_text,
            "rule": RULE_LABELS.get(leaf.rule_type, leaf.rule_type),
            "final": row.leaf_scores.get(leaf.code) if row else None,
            "entries": [{"assessor": s.assessor.display_name, "points": s.points, "comment": s.comment,
                         "text": _describe(st, leaf.code, s.input)} for s in by_leaf[leaf.id]],
        })
    return list(groups.values())


def _adjustment_list(target: RoundTarget, report, row) -> list[dict]:
    """Live rows (with ids, removable) before 定档; the frozen snapshot's afterwards."""
    if report.final and row is not None:
        return [{"id": None, "code": a.item_code, "name": a.item_name, "kind": a.kind, "points": a.points,
                 "reason": a.reason} for a in report.adjustments
                if a.org_code == row.org_code and a.category == row.category]
    return [{"id": a.id, "code": a.item.code, "name": a.item.name, "kind": a.item.kind_label,
             "points": a.points, "reason": a.reason, "by": a.created_by.display_name}
            for a in target.adjustments]


def _render(target: RoundTarget, status: int = 200, **given):
    db = get_db()
    rnd = target.round
    report = ranking_for(db, rnd, category_id=target.category_id)
    row = next((r for r in report.rows if r.target_id == target.id), None)
    converted = (row is not None and rnd.scheme.convert
                 and row.applicable_full not in (0, report.full_marks))
    editable = permissions.can_adjust(current_user, target)
    return render_template(
        "rounds/target.html", target=target, rnd=rnd, report=report, row=row, converted=converted,
        org_name=row.org_name if row else target.org.name,
        groups=_leaf_groups(db, target, row), adjustments=_adjustment_list(target, report, row),
        editable=editable, forms=_forms(target, given) if editable else None,
        home_unit=permissions.is_home_unit(current_user, target.org),
    ), status


@bp.route("/targets/<int:target_id>")
@login_required
def target(target_id: int):
    return _render(_target(target_id))


def _submit(target: RoundTarget, form: FlaskForm, key: str, action, done: str, **extra):
    """Validate, call the service, commit and redirect; on any error re-render with the form's errors."""
    db = get_db()
    if form.validate_on_submit():
        try:
            action()
        except PermissionDenied:
            abort(403)
        except ServiceError as exc:
            db.rollback()
            field_error(getattr(form, exc.field or "reason", None) or form.reason, exc.message)
        else:
            db.commit()
            flash(done, "success")
            return redirect(url_for("rounds.target", target_id=target.id))
    flash("未保存，请按提示修改后重新提交", "danger")
    return _render(target, 400, **{key: form}, **extra)


@bp.route("/targets/<int:target_id>/adjustments", methods=["POST"])
@login_required
def target_add(target_id: int):
    target = _target(target_id, adjust=True)
    form = AddAdjustmentForm(prefix="add")
    form.item.choices = [(i.id, _item_label(i)) for i in target.round.scheme.items]
    item = next((i for i in target.round.scheme.items if i.id == form.item.data), None)

    def action():
        if item is None:
            raise ServiceError("请选择本轮方案中的加减分项", "item")
        adj_svc.add_adjustment(get_db(), actor(), target, item, form.points.data, form.reason.data)

    label = f"{item.kind_label}项“{item.name}”" if item else ""
    return _submit(target, form, "add", action, f"已添加{label}")


@bp.route("/targets/<int:target_id>/adjustments/<int:adjustment_id>/remove", methods=["POST"])
@login_required
def target_remove(target_id: int, adjustment_id: int):
    target = _target(target_id, adjust=True)
    adj = get_or_404(get_db(), Adjustment, adjustment_id)
    if adj.target_id != target.id:
        abort(404)
    form = RemoveAdjustmentForm(prefix=f"rm{adj.id}")
    label = f"已撤销{adj.item.kind_label}项“{adj.item.name}”"
    return _submit(target, form, "remove", lambda: adj_svc.remove_adjustment(
        get_db(), actor(), adj, form.reason.data), label, remove_id=adj.id)


@bp.route("/targets/<int:target_id>/veto", methods=["POST"])
@login_required
def target_veto(target_id: int):
    target = _target(target_id, adjust=True)
    form = VetoForm(prefix="veto")
    on = form.on.data == "1"
    done = "已设置一票否决" if on else "已取消一票否决"
    return _submit(target, form, "veto", lambda: adj_svc.set_veto(
        get_db(), actor(), target, on, form.reason.data), done)


@bp.route("/targets/<int:target_id>/override", methods=["POST"])
@login_required
def target_override(target_id: int):
    target = _target(target_id, adjust=True)
    form = OverrideForm(prefix="ovr")
    form.tier.choices = [("", "（不调整，按计算结果）")] + [(t.name, t.name) for t in target.round.scheme.tiers]
    tier = (form.tier.data or "").strip()

    def action():
        if not tier and not target.tier_override:
            raise ServiceError("请选择调整后的等次", "tier")
        adj_svc.set_override(get_db(), actor(), target, tier or None, form.reason.data)

    done = f"已将等次调整为“{tier}”" if tier else "已取消手动调整的等次"
    return _submit(target, form, "override", action, done)
