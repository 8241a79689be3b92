"""Account access for administrators: the state shown on the account list (正常 / 已锁定 /
已停用 / 需修改密码), clearing a login lockout, and resetting a forgotten password (typed by the
administrator or generated, shown once). The services check the sub-tree rule and write the
audit rows (reset_password / unlock, username only: a password is never shown again or logged).

Registered on the users blueprint (see the end of users.py).
"""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo

from scorecard.models import User
from scorecard.services import permissions
from scorecard.services.accounts import security as security_svc
from scorecard.services.clock import local_time
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.web.common import actor, form_error, get_db, get_or_404, require
from scorecard.web.users import bp

RESET_DONE = "已重置，该用户下次登录时须修改密码"


class ResetForm(FlaskForm):
    password = PasswordField("临时密码", validators=[DataRequired("请填写临时密码")])
    confirm = PasswordField("确认临时密码", validators=[DataRequired("请再次输入临时密码"),
                                                    EqualTo("password", "两次输入的密码不一致")])


def account_states(user: User, now: dt.datetime) -> list[tuple[str, str]]:
    """(Chinese label, CSS class) for every state that applies; 正常 when none does."""
    states = []
    if not user.active:
        states.append(("已停用", "draft"))
    if security_svc.is_locked(user, now):
        states.append((f"已锁定（至 {local_time(user.locked_until):%H:%M}）", "locked"))
    if user.must_change_password:
        states.append(("需修改密码", "must-change"))
    return states or [("正常", "published")]


def _managed(user_id: int) -> User:
    """The account, if the signed-in administrator may manage it (own sub-tree); else 403/404."""
    require(permissions.can_manage_users(current_user))
    user = get_or_404(get_db(), User, user_id)
    require(permissions.in_scope(current_user, user.scope_org))
    return user


def _own_account():
    flash("请在“修改密码”页面修改自己的密码", "info")
    return redirect(url_for("account.password"))


@bp.route("/<int:user_id>/unlock", methods=["POST"])
@login_required
def unlock(user_id: int):
    user = _managed(user_id)
    db = get_db()
    try:
        changed = security_svc.unlock(db, actor(), user)
    except PermissionDenied:
        require(False)
    db.commit()
    if changed:
        flash(f"已解除账号“{user.username}”的登录锁定", "success")
    else:
        flash(f"账号“{user.username}”未被锁定", "info")
    return redirect(url_for("users.index"))


@bp.route("/<int:user_id>/password", methods=["GET", "POST"])
@login_required
def reset_password(user_id: int):
    user = _managed(user_id)
    if user.id == current_user.id:
        return _own_account()
    form = ResetForm()
    if form.validate_on_submit():
        db = get_db()
        try:
            security_svc.reset_password(db, actor(), user, form.password.data)
        except PermissionDenied:
            db.rollback()
            require(False)
        except ServiceError as exc:
            db.rollback()
            form_error(form, exc)
        else:
            db.commit()
            flash(f"账号“{user.username}”的密码{RESET_DONE}", "success")
            return redirect(url_for("users.index"))
    return render_template("users/password.html", user=user, form=form, policy=security_svc.POLICY_TEXT)


@bp.route("/<int:user_id>/password/generate", methods=["POST"])
@login_required
def generate_password(user_id: int):
    """Reset to a generated temporary password, shown on this response only (never stored in
    the session, a flash message or the log)."""
    user = _managed(user_id)
    if user.id == current_user.id:
        return _own_account()
    db = get_db()  # the CSRF token is checked app-wide (CSRFProtect) before this view runs
    password = security_svc.generate_password(user.username)
    try:
        security_svc.reset_password(db, actor(), user, password)
    except PermissionDenied:
        db.rollback()
        require(False)
    except ServiceError as exc:  # pragma: no cover - a generated password meets the policy
        db.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("users.reset_password", user_id=user.id))
    db.commit()
    return render_template("users/password_done.html", user=user, password=password,
                           done=RESET_DONE)
