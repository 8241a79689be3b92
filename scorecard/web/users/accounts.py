"""Accounts (administrators only): list in scope, create, activate / deactivate.
Unlock and password reset live in access.py (same blueprint)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from scorecard.models import ROLES, User
from scorecard.services import permissions
from scorecard.services.accounts import security
from scorecard.services.accounts import users as accounts
from scorecard.web.common import actor, get_db, get_or_404, require, unit_of_work
from scorecard.web.users import bp


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"),
                                              Length(max=50, message="用户名不能超过50个字符")])
    display_name = StringField("姓名", validators=[Length(max=50, message="姓名不能超过50个字符")])
    role = SelectField("角色", validate_choice=False,
                       choices=[SelectChoice(k, v) for k, v in ROLES.items()])
    org_code = StringField("数据范围（组织编码）", validators=[DataRequired("请填写数据范围的组织编码")])
    home_org_code = StringField("所在单位（组织编码，可选）")
    password = PasswordField("密码", validators=[DataRequired("请填写密码")])
    confirm = PasswordField("确认密码", validators=[DataRequired("请再次输入密码"),
                                                EqualTo("password", "两次输入的密码不一致")])


@bp.route("/")
@login_required
def index():
    users = accounts.users_in_scope(get_db(), actor())
    return render_template("users/index.html", users=users,
                           states={u.id: accounts.account_states(u) for u in users},
                           locked={u.id: security.is_locked(u) for u in users})


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require(permissions.can_manage_users(actor()))
    form = UserForm()
    if form.validate_on_submit() and _codes_in_scope(form):
        with unit_of_work(form) as done:
            user = accounts.create_user(
                get_db(), actor(), form.username.data, form.password.data, form.role.data,
                form.org_code.data, display_name=form.display_name.data or None,
                home_org_code=(form.home_org_code.data or "").strip() or None)
        if done:
            flash(f"已创建账号“{user.username}”（{user.role_label}）", "success")
            return redirect(url_for("users.index"))
    return render_template("users/new.html", form=form)


def _codes_in_scope(form: UserForm) -> bool:
    """Scope and home organisations must lie inside the administrator's own scope."""
    ok = True
    for fld in (form.org_code, form.home_org_code):
        code = (fld.data or "").strip()
        if code and accounts.outside_scope(get_db(), actor(), code):
            fld.errors = [*fld.errors, f"组织编码“{code}”不在您的管理范围内"]
            ok = False
    return ok


@bp.route("/<int:user_id>/active", methods=["POST"])
@login_required
def set_active(user_id: int):
    require(permissions.can_manage_users(actor()))
    user = get_or_404(get_db(), User, user_id)
    active = request.form.get("active") == "1"
    with unit_of_work() as done:
        changed = accounts.set_user_active(get_db(), actor(), user, active)
    if done and changed:
        flash(f"账号“{user.username}”已{'启用' if active else '停用'}", "success")
    return redirect(url_for("users.index"))
