"""Schemes (考核方案): list, import, the scheme page with its pre-publish check, publish,
new version, diff between versions, edit forms for a draft and the blank import template.
Leaders read; admins and assessors manage; everyone else gets 403."""
from __future__ import annotations

import datetime as dt
import io

import xlsxwriter
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from scorecard.domain.rules import RULE_LABELS, RULE_TYPES
from scorecard.importers.common import ImportFailed
from scorecard.importers.scheme import parse_scheme
from scorecard.models import Category, Indicator, Scheme, SchemeItem, Tier
from scorecard.services import permissions
from scorecard.services.dashboard import burden as burden_svc
from scorecard.services.errors import ServiceError
from scorecard.services.schemes import diff as schemes_diff
from scorecard.services.schemes import edit as schemes_edit
from scorecard.services.schemes import lifecycle as schemes
from scorecard.web.common import actor, get_db, get_or_404, require
from scorecard.web.schemes import bp

RULE_HINTS = {
    "direct": "无需参数，请留空",
    "deduct": "每次=2 或 范围=1-3；留空表示每次扣分由考核员填写（扣完为止）",
    "count": "每次=2（累计不超过本指标分值）",
    "grade": "好=100%,较好=80%,一般=60%,差=0%（留空即用此默认）",
    "ratio": "目标=100",
    "check": "无需参数，请留空",
    "vote": "满意=1,基本满意=0.6,不满意=0（留空即用此默认）",
    "tasks": "无需参数，请留空（按责任清单任务按期完成率计分）",
}
TEMPLATE_SHEETS = {
    "指标": ["编码", "上级编码", "名称", "分值", "考核内容", "评分标准", "考核方式", "适用类别", "计分类型",
           "计分参数", "佐证提示"],
    "加减分项": ["编码", "名称", "类型", "每项分值", "单项上限"],
    "等次": ["等次", "最低分", "名额比例(%)"],
    "设置": ["项目", "值"],
}
SETTING_ROWS = ["方案名称", "满分", "加分上限", "折算", "一票否决封顶等次", "并列排序依据"]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ImportForm(FlaskForm):
    file = FileField("方案文件（.xlsx）", validators=[FileRequired("请选择要导入的Excel文件")])
    code = StringField("方案编码", validators=[DataRequired("请填写方案编码")])
    name = StringField("方案名称（留空则取文件“设置”表中的方案名称）")
    year = IntegerField("年度", validators=[InputRequired("请填写年度")], default=lambda: dt.date.today().year)


class SettingsForm(FlaskForm):
    name = StringField("方案名称")
    year = StringField("年度")
    full_marks = StringField("满分")
    bonus_cap = StringField("加分上限（留空不设上限）")
    convert = BooleanField("按适用指标满分折算（折算）")
    veto_cap = SelectField("一票否决封顶等次", choices=[])
    tie_break = StringField("并列排序依据（一级指标编码，按优先顺序用、分隔）")
    categories = MultiCheckboxField("适用类别", choices=[])


class IndicatorForm(FlaskForm):
    code = StringField("编码")
    name = StringField("名称")
    max_points = StringField("分值")
    content = TextAreaField("考核内容")
    rule_text = TextAreaField("评分标准（原文）")
    methods = StringField("考核方式（用、分隔，如：日常考核、实地核验）")
    categories = MultiCheckboxField("适用类别（不勾选即适用于上级的全部类别）", choices=[])
    evidence_hint = StringField("佐证提示（可选，只在需要时填写）")
    evidence_required = BooleanField("自评时必须提供佐证材料（默认不要求）")
    rule_type = SelectField("计分方式（末级指标）", choices=[SelectChoice(t, RULE_LABELS[t]) for t in RULE_TYPES])
    params_text = StringField("计分参数")


class ItemForm(FlaskForm):
    code = StringField("编码")
    name = StringField("名称")
    kind = SelectField("类型", choices=[SelectChoice("bonus", "加分"), SelectChoice("penalty", "减分")])
    points = StringField("每项分值（留空则每次由考核员填写）")
    cap = StringField("单项上限（可选）")


class TierForm(FlaskForm):
    name = StringField("等次名称")
    threshold = StringField("最低分")
    quota_pct = StringField("名额比例 %（可选）")


# --- helpers ------------------------------------------------------------------------------------

def _scheme(scheme_id: int, manage: bool = False) -> Scheme:
    require(permissions.can_view_schemes(actor()))
    if manage:
        require(permissions.can_manage_schemes(actor()))
    return get_or_404(get_db(), Scheme, scheme_id)


def _draft(scheme_id: int) -> Scheme:
    scheme = _scheme(scheme_id, manage=True)
    if not scheme.is_draft:
        flash(schemes.IMMUTABLE, "warning")
        abort(redirect(url_for("schemes.show", scheme_id=scheme.id)))
    return scheme


def _owned(model, obj_id: int, scheme: Scheme):
    obj = get_or_404(get_db(), model, obj_id)
    if obj.scheme_id != scheme.id:
        abort(404)
    return obj


def _save(form, fn, *args, **kwargs) -> bool:
    """Run a service; commit on success, else show its message on the field it names."""
    db = get_db()
    try:
        fn(db, actor(), *args, **kwargs)
    except ServiceError as exc:
        db.rollback()
        target = form[exc.field] if exc.field and exc.field in form else None
        if target is not None:
            target.errors = [*target.errors, exc.message]
        flash(exc.message, "danger")
        return False
    db.commit()
    return True


def _back(scheme: Scheme, anchor: str = ""):
    return redirect(url_for("schemes.show", scheme_id=scheme.id) + (f"#{anchor}" if anchor else ""))


# --- list, import, template -------------------------------------------------------------------

@bp.route("/")
@login_required
def index():
    require(permissions.can_view_schemes(actor()))
    return render_template("schemes/index.html", families=schemes.families(get_db()))


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_scheme():
    require(permissions.can_manage_schemes(actor()))
    form, issues, db = ImportForm(), [], get_db()
    if form.validate_on_submit():
        try:
            parsed = parse_scheme(form.file.data.stream)
            name = (form.name.data or "").strip() or (parsed.title or "")
            scheme = schemes.import_scheme(db, actor(), parsed, form.code.data, name, form.year.data)
        except ImportFailed as exc:
            db.rollback()
            issues = exc.issues
        except ServiceError as exc:
            db.rollback()
            if exc.field in form:
                form[exc.field].errors = [*form[exc.field].errors, exc.message]
            flash(exc.message, "danger")
        else:
            db.commit()
            flash(f"已导入方案 {schemes.label(scheme)}（草稿，{len(scheme.indicators)}个指标）。"
                  "请查看“发布前检查”后发布。", "success")
            return _back(scheme)
    return render_template("schemes/import.html", form=form, issues=issues)


@bp.route("/template.xlsx")
@login_required
def template():
    require(permissions.can_view_schemes(actor()))
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    bold = wb.add_format({"bold": True})
    for title, headers in TEMPLATE_SHEETS.items():
        ws = wb.add_worksheet(title)
        ws.write_row(0, 0, headers, bold)
        ws.set_column(0, len(headers) - 1, 14)
        ws.freeze_panes(1, 0)
        if title == "设置":
            ws.write_column(1, 0, SETTING_ROWS)
    notes = wb.add_worksheet("说明")
    notes.set_column(0, 1, 40)
    notes.write_row(0, 0, ["计分类型", "计分参数的写法"], bold)
    for row, rule_type in enumerate(RULE_TYPES, start=1):
        notes.write_row(row, 0, [RULE_LABELS[rule_type], RULE_HINTS[rule_type]])
    wb.close()
    buf.seek(0)
    return send_file(buf, as_attachment=True, download_name="考核方案导入模板.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- one scheme ------------------------------------------------------------------------------

@bp.route("/<int:scheme_id>")
@login_required
def show(scheme_id: int):
    scheme, db = _scheme(scheme_id), get_db()
    load = schemes_diff.burden(scheme)
    previous = schemes.previous_version(db, scheme)
    growth = schemes_diff.burden_growth(schemes_diff.burden(previous), load) if previous else []
    return render_template(
        "schemes/show.html", scheme=scheme, rows=schemes_diff.tree_rows(scheme), burden=load, growth=growth,
        panel=burden_svc.scheme_panel(db, scheme, previous),
        previous=previous, problems=schemes.validate_scheme(scheme) if scheme.is_draft else [],
        manage=permissions.can_manage_schemes(actor()),
        later=db.scalar(select(Scheme).where(Scheme.code == scheme.code, Scheme.version > scheme.version)
                        .order_by(Scheme.version.desc())))


@bp.route("/<int:scheme_id>/publish", methods=["POST"])
@login_required
def publish(scheme_id: int):
    scheme, db = _scheme(scheme_id, manage=True), get_db()
    try:
        schemes.publish(db, actor(), scheme)
    except schemes.PublishRefused as exc:
        db.rollback()
        flash(f"未发布：方案未通过发布前检查，共{len(exc.messages)}处问题，请按“发布前检查”逐项修正。", "danger")
    except ServiceError as exc:
        db.rollback()
        flash(exc.message, "danger")
    else:
        db.commit()
        flash(f"方案 {schemes.label(scheme)} 已发布，此后不能再修改；如需调整请创建新版本。", "success")
    return _back(scheme)


@bp.route("/<int:scheme_id>/new-version", methods=["POST"])
@login_required
def new_version(scheme_id: int):
    scheme, db = _scheme(scheme_id, manage=True), get_db()
    copy = schemes.new_version(db, actor(), scheme)
    db.commit()
    flash(f"已创建新版本 {schemes.label(copy)}（草稿），可以修改后发布。", "success")
    return _back(copy)


@bp.route("/<int:scheme_id>/diff")
@login_required
def diff(scheme_id: int):
    scheme, db = _scheme(scheme_id), get_db()
    other_id = request.args.get("against", type=int)
    other = db.get(Scheme, other_id) if other_id else schemes.previous_version(db, scheme)
    if other is not None and other.code != scheme.code:
        abort(404)
    old, new = (other, scheme) if other is None or other.version < scheme.version else (scheme, other)
    lines = schemes_diff.diff_versions(old, new) if other is not None else []
    versions = db.scalars(select(Scheme).where(Scheme.code == scheme.code, Scheme.id != scheme.id)
                          .order_by(Scheme.version.desc())).all()
    return render_template("schemes/diff.html", scheme=scheme, old=old, new=new, other=other,
                           lines=lines, versions=versions)


# --- edit forms (drafts only) -------------------------------------------------------------------

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
    names = [c.name for c in get_db().scalars(select(Category).order_by(Category.id))]
    form.categories.choices = [SelectChoice(n) for n in names]
    if form.validate_on_submit():
        data = {k: form[k].data for k in schemes_edit.SETTING_KEYS}
        if _save(form, schemes_edit.update_settings, scheme, **data):
            flash("方案设置已保存", "success")
            return _back(scheme, "settings")
    return render_template("schemes/form.html", form=form, scheme=scheme, title="修改方案设置")


@bp.route("/<int:scheme_id>/indicators/new", methods=["GET", "POST"], defaults={"ind_id": None})
@bp.route("/<int:scheme_id>/indicators/<int:ind_id>/edit", methods=["GET", "POST"])
@login_required
def indicator(scheme_id: int, ind_id: int | None):
    scheme = _draft(scheme_id)
    ind = _owned(Indicator, ind_id, scheme) if ind_id else None
    parent_id = request.args.get("parent", type=int)
    parent = _owned(Indicator, parent_id, scheme) if ind is None and parent_id else None
    form = IndicatorForm(data=None if request.method == "POST" or ind is None else {
        "code": ind.code, "name": ind.name, "max_points": schemes_diff.text(ind.max_points),
        "content": ind.content, "rule_text": ind.rule_text, "methods": "、".join(ind.methods or []),
        "categories": [c.name for c in ind.categories], "evidence_hint": ind.evidence_hint,
        "evidence_required": ind.evidence_required,
        "rule_type": ind.rule_type, "params_text": schemes_diff.params_text(ind.rule_type, ind.rule_params)})
    form.categories.choices = [SelectChoice(c.name) for c in scheme.categories]
    if form.validate_on_submit():
        data = {k: form[k].data for k in ("code", "name", "max_points", "content", "rule_text", "methods",
                                          "categories", "evidence_hint", "evidence_required", "rule_type",
                                          "params_text")}
        ok = (_save(form, schemes_edit.update_indicator, ind, **data) if ind is not None else
              _save(form, schemes_edit.add_indicator, scheme, parent, data.pop("code"), data.pop("name"),
                    data.pop("max_points"), **data))
        if ok:
            flash(f"指标 {form.code.data}「{form.name.data}」已保存", "success")
            return _back(scheme, "indicators")
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
    _save(IndicatorForm(), schemes_edit.move_indicator, ind, direction)
    return _back(scheme, "indicators")


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
        if _save(form, update, obj, **data) if obj is not None else _save(form, add, scheme, **data):
            flash(f"{what}已保存", "success")
            return _back(scheme, anchor)
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
    if _save(FlaskForm(), fn, obj):
        flash("已删除" + ("（连同其下级指标）" if kind == "indicators" else ""), "success")
    return _back(scheme, kind)


@bp.app_template_filter("scheme_time")
def scheme_time(value: dt.datetime | None) -> str:
    """Stored times are UTC; users read Beijing time."""
    return (value + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") if value else ""
