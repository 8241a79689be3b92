"""The forms of the scheme pages: import, and the draft's settings, indicators, items, tiers."""
from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from scorecard.domain.rules import RULE_LABELS, RULE_TYPES


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
