"""Accounts (administrators only): list in scope, create, activate / deactivate.
Unlock and password reset live in users_access.py (registered at the end of this file)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from scorecard.models import ROLES, Organisation, User, utcnow
from scorecard.services import permissions
from scorecard.services.accounts import security as security_svc
from scorecard.services.accounts.users import create_user
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.orgs.tree import set_user_active
from scorecard.web.common import actor, form_error, get_db, get_or_404, require
from scorecard.web.users import bp
from scorecard.web.users.access import account_states

# ServiceError.field from services.accounts → form field
FIELD_MAP = {"org": "org_code", "home_org": "home_org_code"}


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
    require(permissions.can_manage_users(current_user))
    users = get_db().scalars(
        select(User).join(Organisation, User.scope_org_id == Organisation.id)
        .where(Organisation.path.startswith(current_user.scope_org.path))
        .options(selectinload(User.scope_org), selectinload(User.home_org))
        .order_by(User.username)
    ).all()
    now = utcnow()
    return render_template("users/index.html", users=users,
                           states={u.id: account_states(u, now) for u in users},
                           locked={u.id: security_svc.is_locked(u, now) for u in users})


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require(permissions.can_manage_users(current_user))
    form = UserForm()
    if form.validate_on_submit() and _codes_in_scope(form):
        db = get_db()
        try:
            user = create_user(db, actor(), form.username.data, form.password.data, form.role.data,
                               form.org_code.data, display_name=form.display_name.data or None,
                               home_org_code=(form.home_org_code.data or "").strip() or None)
        except ServiceError as exc:
            db.rollback()
            _field_error(form, exc)
        else:
            db.commit()
            flash(f"已创建账号“{user.username}”（{user.role_label}）", "success")
            return redirect(url_for("users.index"))
    return render_template("users/new.html", form=form)


def _codes_in_scope(form: UserForm) -> bool:
    """Scope and home organisations must lie inside the administrator's own scope."""
    ok = True
    for fld in (form.org_code, form.home_org_code):
        code = (fld.data or "").strip()
        if not code:
            continue
        org = get_db().scalar(select(Organisation).where(Organisation.code == code))
        if org is not None and not permissions.in_scope(current_user, org):
            fld.errors = [*fld.errors, f"组织编码“{code}”不在您的管理范围内"]
            ok = False
    return ok


def _field_error(form: UserForm, exc: ServiceError) -> None:
    form_error(form, exc, FIELD_MAP.get(exc.field or ""))


@bp.route("/<int:user_id>/active", methods=["POST"])
@login_required
def set_active(user_id: int):
    require(permissions.can_manage_users(current_user))
    db = get_db()
    user = get_or_404(db, User, user_id)
    active = request.form.get("active") == "1"
    try:
        changed = set_user_active(db, actor(), user, active)
    except PermissionDenied:
        require(False)
    except ServiceError as exc:
        db.rollback()
        flash(exc.message, "danger")
    else:
        db.commit()
        if changed:
            flash(f"账号“{user.username}”已{'启用' if active else '停用'}", "success")
    return redirect(url_for("users.index"))

