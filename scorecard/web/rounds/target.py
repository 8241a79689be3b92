"""One target of a round, explained (services/rounds/target_page.py), and the forms of the
assessors who may adjust it: bonus/penalty items, 一票否决 and tier override.

Registered on the rounds blueprint (web/rounds/__init__.py).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from scorecard.domain.numbers import fmt
from scorecard.models import Adjustment, RoundTarget
from scorecard.services import permissions
from scorecard.services.rounds import adjustments as adj_svc
from scorecard.services.rounds.target_page import target_page
from scorecard.web.common import actor, get_db, get_or_404, require, unit_of_work
from scorecard.web.rounds import bp

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
    if adjust:  # the 403 page says why (回避, 已定档)
        permissions.ensure(permissions.why_not_adjust(current_user, target))
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
    override.tier.choices = _tier_choices(target)
    removes = {a.id: RemoveAdjustmentForm(prefix=f"rm{a.id}", formdata=None) for a in target.adjustments}
    if given.get("remove"):
        removes[given["remove_id"]] = given["remove"]
    return {"add": add, "veto": veto, "override": override, "removes": removes}


def _tier_choices(target: RoundTarget) -> list[tuple[str, str]]:
    return [("", "（不调整，按计算结果）")] + [(t.name, t.name) for t in target.round.scheme.tiers]


def _render(target: RoundTarget, status: int = 200, **given):
    page = target_page(get_db(), actor(), target)
    return render_template(
        "rounds/target.html", target=target, rnd=target.round, report=page.report, row=page.row,
        converted=page.converted, org_name=page.org_name, groups=page.groups, adjustments=page.adjustments,
        editable=page.editable, forms=_forms(target, given) if page.editable else None,
        home_unit=page.home_unit, leaf_rules=page.leaf_rules,
    ), status


@bp.route("/targets/<int:target_id>")
@login_required
def target(target_id: int):
    return _render(_target(target_id))


def _submit(target: RoundTarget, form: FlaskForm, key: str, action, done, **extra):
    """Validate and call the service (`action`) in a unit of work, then redirect with `done`
    (its text, or a function of the service's result); on any error re-render with the form's errors."""
    if form.validate_on_submit():
        with unit_of_work(form) as outcome:
            result = action()
        if outcome:
            flash(done(result) if callable(done) else done, "success")
            return redirect(url_for("rounds.target", target_id=target.id))
    flash("未保存，请按提示修改后重新提交", "danger")
    return _render(target, 400, **{key: form}, **extra)


@bp.route("/targets/<int:target_id>/adjustments", methods=["POST"])
@login_required
def target_add(target_id: int):
    target = _target(target_id, adjust=True)
    form = AddAdjustmentForm(prefix="add")
    form.item.choices = [(i.id, _item_label(i)) for i in target.round.scheme.items]
    return _submit(target, form, "add", lambda: adj_svc.add_scheme_item(
        get_db(), actor(), target, form.item.data, form.points.data, form.reason.data),
        lambda adj: f"已添加{adj.item.kind_label}项“{adj.item.name}”")


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
    form.tier.choices = _tier_choices(target)
    tier = (form.tier.data or "").strip()
    done = f"已将等次调整为“{tier}”" if tier else "已取消手动调整的等次"
    return _submit(target, form, "override", lambda: adj_svc.set_override(
        get_db(), actor(), target, tier or None, form.reason.data), done)
