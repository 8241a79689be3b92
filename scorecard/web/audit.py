"""The audit log (审计日志): browse and filter, read only. There are deliberately no routes that
change or remove an entry (tests/audit/test_immutable.py checks the URL map)."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import Form, IntegerField, SelectField, StringField
from wtforms.fields import DateField
from wtforms.validators import Length, Optional

from scorecard.domain.numbers import parse_id
from scorecard.services import audit as audit_svc
from scorecard.services import permissions
from scorecard.web.common import get_db, require

bp = Blueprint("audit", __name__, url_prefix="/audit")


class AuditFilterForm(Form):
    entity = SelectField("对象类型", validate_choice=False, validators=[Optional()])
    user = SelectField("操作人", validate_choice=False, validators=[Optional()])
    round = SelectField("考核轮次", validate_choice=False, validators=[Optional()])
    date_from = DateField("开始日期", validators=[Optional()], format="%Y-%m-%d",
                          render_kw={"type": "date"})
    date_to = DateField("结束日期", validators=[Optional()], format="%Y-%m-%d",
                        render_kw={"type": "date"})
    q = StringField("关键词", validators=[Optional(), Length(max=100, message="关键词不能超过100个字符")])
    page = IntegerField("页码", validators=[Optional()])


def _int_choice(field, label: str, known: set[str], errors: list[str]) -> int | None:
    value = (field.data or "").strip()
    if not value:
        return None
    if parse_id(value) is None or value not in known:
        errors.append(f"“{label}”的取值“{value}”无效，请从列表中选择")
        return None
    return int(value)


def _date_errors(form: AuditFilterForm) -> list[str]:
    errors = []
    for field in (form.date_from, form.date_to):
        if field.errors:
            errors.append(f"“{field.label.text}”格式不正确，应为“年-月-日”，如 2025-03-05")
    if form.date_from.data and form.date_to.data and form.date_from.data > form.date_to.data:
        errors.append("“开始日期”不能晚于“结束日期”")
    return errors


@bp.route("/")
@login_required
def index():
    require(permissions.can_view_audit(current_user))
    db = get_db()
    choices = audit_svc.filter_choices(db, current_user)
    form = AuditFilterForm(request.args)
    form.entity.choices = [("", "（全部）")] + choices["entities"]
    form.user.choices = [("", "（全部）")] + [(str(u.id), f"{u.display_name}（{u.username}）")
                                            for u in choices["users"]]
    form.round.choices = [("", "（全部）")] + [(str(r.id), f"{r.code} {r.name}") for r in choices["rounds"]]
    form.validate()
    errors = [e for f in (form.q, form.page) for e in f.errors] + _date_errors(form)
    if form.page.errors or (form.page.data is not None and form.page.data < 1):
        errors = [e for e in errors if e not in form.page.errors] + ["“页码”必须是正整数"]
    entity = (form.entity.data or "").strip() or None
    if entity and entity not in dict(choices["entities"]):
        errors.append(f"“对象类型”的取值“{entity}”无效，请从列表中选择")
    user_id = _int_choice(form.user, "操作人", {str(u.id) for u in choices["users"]}, errors)
    round_id = _int_choice(form.round, "考核轮次", {str(r.id) for r in choices["rounds"]}, errors)
    if errors:
        return render_template("audit/index.html", form=form, errors=errors, page=None,
                               entity_labels=audit_svc.ENTITY_LABELS,
                               action_labels=audit_svc.ACTION_LABELS), 400
    f = audit_svc.AuditFilter(entity=entity, user_id=user_id, round_id=round_id,
                              date_from=form.date_from.data, date_to=form.date_to.data, text=form.q.data)
    page = audit_svc.search(db, current_user, f, page=form.page.data or 1)
    rows = [{"entry": e, "changes": audit_svc.describe_change(e)} for e in page.entries]
    return render_template("audit/index.html", form=form, errors=[], page=page, rows=rows,
                           entity_labels=audit_svc.ENTITY_LABELS, action_labels=audit_svc.ACTION_LABELS,
                           page_url=lambda n: _page_url(n))


def _page_url(n: int) -> str:
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return url_for("audit.index", page=n, **args)
