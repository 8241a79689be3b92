"""Editing a draft scheme: settings, indicators (add, edit, move, delete with their subtree),
bonus/penalty items and tiers. A published scheme redirects to its page with a warning."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from scorecard.domain.numbers import parse_id
from scorecard.domain.rules import RULE_LABELS, RULE_TYPES
from scorecard.models import Indicator, Scheme, SchemeItem, Tier
from scorecard.services.schemes import diff as schemes_diff
from scorecard.services.schemes import edit as schemes_edit
from scorecard.services.schemes import lifecycle as schemes
from scorecard.web.common import actor, get_db, get_or_404, unit_of_work
from scorecard.web.schemes import bp
from scorecard.web.schemes.forms import IndicatorForm, ItemForm, SettingsForm, TierForm
from scorecard.web.schemes.pages import back, load_scheme

RULE_HINTS = schemes_edit.RULE_HINTS
INDICATOR_FIELDS = ("code", "name", "max_points", "content", "rule_text", "methods", "categories",
                    "evidence_hint", "evidence_required", "rule_type", "params_text")


def _draft(scheme_id: int) -> Scheme:
    scheme = load_scheme(scheme_id, manage=True)
    if not scheme.is_draft:
        flash(schemes.IMMUTABLE, "warning")
        abort(redirect(url_for("schemes.show", scheme_id=scheme.id)))
    return scheme


def _owned(model, obj_id: int, scheme: Scheme):
    obj = get_or_404(get_db(), model, obj_id)
    if obj.scheme_id != scheme.id:
        abort(404)
    return obj


@bp.route("/<int:scheme_id>/settings", methods=["GET", "POST"])
@login_required
def settings(scheme_id: int):
    scheme = _draft(scheme_id)
    form = SettingsForm(data=None if request.method == "POST" else {
        "name": scheme.name, "year": scheme.year, "full_marks": schemes_diff.text(scheme.full_marks),
        "bonus_cap": schemes_diff.text(scheme.bonus_cap), "convert": scheme.convert,
        "veto_cap": scheme.veto_cap or "", "tie_break": "、".join(scheme.tie_break or []),
        "categories": [c.name for c in scheme.categories]})
    form.veto_cap.choices = [SelectChoice("", "（不设置）")] + [SelectChoice(t.name) for t in scheme.tiers]
    form.categories.choices = [SelectChoice(n) for n in schemes.category_names(get_db())]
    if form.validate_on_submit():
        with unit_of_work(form) as done:
            schemes_edit.update_settings(get_db(), actor(), scheme,
                                         **{k: form[k].data for k in schemes_edit.SETTING_KEYS})
        if done:
            flash("方案设置已保存", "success")
            return back(scheme, "settings")
    return render_template("schemes/form.html", form=form, scheme=scheme, title="修改方案设置")


def _indicator_data(ind: Indicator) -> dict:
    return {
        "code": ind.code, "name": ind.name, "max_points": schemes_diff.text(ind.max_points),
        "content": ind.content, "rule_text": ind.rule_text, "methods": "、".join(ind.methods or []),
        "categories": [c.name for c in ind.categories], "evidence_hint": ind.evidence_hint,
        "evidence_required": ind.evidence_required,
        "rule_type": ind.rule_type, "params_text": schemes_diff.params_text(ind.rule_type, ind.rule_params)}


@bp.route("/<int:scheme_id>/indicators/new", methods=["GET", "POST"], defaults={"ind_id": None})
@bp.route("/<int:scheme_id>/indicators/<int:ind_id>/edit", methods=["GET", "POST"])
@login_required
def indicator(scheme_id: int, ind_id: int | None):
    scheme = _draft(scheme_id)
    ind = _owned(Indicator, ind_id, scheme) if ind_id else None
    parent_id = request.args.get("parent", type=parse_id)
    parent = _owned(Indicator, parent_id, scheme) if ind is None and parent_id else None
    form = IndicatorForm(data=None if request.method == "POST" or ind is None else _indicator_data(ind))
    form.categories.choices = [SelectChoice(c.name) for c in scheme.categories]
    if form.validate_on_submit():
        data = {k: form[k].data for k in INDICATOR_FIELDS}
        with unit_of_work(form) as done:
            if ind is not None:
                schemes_edit.update_indicator(get_db(), actor(), ind, **data)
            else:
                schemes_edit.add_indicator(get_db(), actor(), scheme, parent, data.pop("code"),
                                           data.pop("name"), data.pop("max_points"), **data)
        if done:
            flash(f"指标 {form.code.data}「{form.name.data}」已保存", "success")
            return back(scheme, "indicators")
    title = (f"修改指标 {ind.code}「{ind.name}」" if ind else
             f"在「{parent.code} {parent.name}」下新增指标" if parent else "新增一级指标")
    return render_template("schemes/form.html", form=form, scheme=scheme, title=title,
                           hints={"params_text": RULE_HINTS.get(form.rule_type.data or "direct")},
                           rule_hints=[(RULE_LABELS[t], RULE_HINTS[t]) for t in RULE_TYPES])


@bp.route("/<int:scheme_id>/indicators/<int:ind_id>/move/<direction>", methods=["POST"])
@login_required
def move(scheme_id: int, ind_id: int, direction: str):
    scheme = _draft(scheme_id)
    ind = _owned(Indicator, ind_id, scheme)
    with unit_of_work():
        schemes_edit.move_indicator(get_db(), actor(), ind, direction)
    return back(scheme, "indicators")


@bp.route("/<int:scheme_id>/items/new", methods=["GET", "POST"], defaults={"obj_id": None})
@bp.route("/<int:scheme_id>/items/<int:obj_id>/edit", methods=["GET", "POST"])
@login_required
def item(scheme_id: int, obj_id: int | None):
    return _child_form(scheme_id, obj_id, SchemeItem, ItemForm, ("code", "name", "kind", "points", "cap"),
                       schemes_edit.add_item, schemes_edit.update_item, "加减分项", "items")


@bp.route("/<int:scheme_id>/tiers/new", methods=["GET", "POST"], defaults={"obj_id": None})
@bp.route("/<int:scheme_id>/tiers/<int:obj_id>/edit", methods=["GET", "POST"])
@login_required
def tier(scheme_id: int, obj_id: int | None):
    return _child_form(scheme_id, obj_id, Tier, TierForm, ("name", "threshold", "quota_pct"),
                       schemes_edit.add_tier, schemes_edit.update_tier, "等次", "tiers")


def _child_form(scheme_id, obj_id, model, form_cls, fields, add, update, what, anchor):
    scheme = _draft(scheme_id)
    obj = _owned(model, obj_id, scheme) if obj_id else None
    form = form_cls(data=None if request.method == "POST" or obj is None else {
        f: schemes_diff.text(getattr(obj, f)) for f in fields})
    if form.validate_on_submit():
        data = {f: form[f].data for f in fields}
        with unit_of_work(form) as done:
            if obj is not None:
                update(get_db(), actor(), obj, **data)
            else:
                add(get_db(), actor(), scheme, **data)
        if done:
            flash(f"{what}已保存", "success")
            return back(scheme, anchor)
    title = f"修改{what}" if obj is not None else f"新增{what}"
    return render_template("schemes/form.html", form=form, scheme=scheme, title=title)


DELETERS = {
    "indicators": (Indicator, schemes_edit.delete_indicator),
    "items": (SchemeItem, schemes_edit.delete_item),
    "tiers": (Tier, schemes_edit.delete_tier),
}


@bp.route("/<int:scheme_id>/<kind>/<int:obj_id>/delete", methods=["GET", "POST"])
@login_required
def delete(scheme_id: int, kind: str, obj_id: int):
    """GET asks for confirmation (no JavaScript under the CSP), POST deletes."""
    if kind not in DELETERS:
        abort(404)
    scheme = _draft(scheme_id)
    model, fn = DELETERS[kind]
    obj = _owned(model, obj_id, scheme)
    if request.method == "GET":
        below = len(schemes_edit.subtree(scheme, obj)) - 1 if kind == "indicators" else 0
        what = (f"等次「{obj.name}」" if kind == "tiers" else
                f"{'指标' if kind == 'indicators' else '加减分项'} {obj.code}「{obj.name}」")
        return render_template("schemes/confirm.html", scheme=scheme, what=what, below=below)
    with unit_of_work() as done:
        fn(get_db(), actor(), obj)
    if done:
        flash("已删除" + ("（连同其下级指标）" if kind == "indicators" else ""), "success")
    return back(scheme, kind)
