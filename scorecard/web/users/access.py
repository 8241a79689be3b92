"""Account access for administrators: clearing a login lockout, and resetting a forgotten
password (typed by the administrator or generated, shown once). The services
(services/accounts/users.py) check the sub-tree rule and write the audit rows.

Registered on the users blueprint (see accounts.py).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo

from scorecard.models import User
from scorecard.services import permissions
from scorecard.services.accounts import passwords
from scorecard.services.accounts import users as accounts
from scorecard.web.common import actor, get_db, get_or_404, require, unit_of_work
from scorecard.web.users import bp

RESET_DONE = "已重置，该用户下次登录时须修改密码"


class ResetForm(FlaskForm):
    password = PasswordField("临时密码", validators=[DataRequired("请填写临时密码")])
    confirm = PasswordField("确认临时密码", validators=[DataRequired("请再次输入临时密码"),
                                                    EqualTo("password", "两次输入的密码不一致")])


def _managed(user_id: int) -> User:
    """The account, if the signed-in administrator may manage it (own sub-tree); else 403/404."""
    require(permissions.can_manage_users(actor()))
    user = get_or_404(get_db(), User, user_id)
    require(permissions.can_manage_user(actor(), user))
    return user


def _own_account():
    flash("请在“修改密码”页面修改自己的密码", "info")
    return redirect(url_for("account.password"))


@bp.route("/<int:user_id>/unlock", methods=["POST"])
@login_required
def unlock(user_id: int):
    user = _managed(user_id)
    with unit_of_work():
        changed = accounts.unlock(get_db(), actor(), user)
    if changed:
        flash(f"已解除账号“{user.username}”的登录锁定", "success")
    else:
        flash(f"账号“{user.username}”未被锁定", "info")
    return redirect(url_for("users.index"))


@bp.route("/<int:user_id>/password", methods=["GET", "POST"])
@login_required
def reset_password(user_id: int):
    user = _managed(user_id)
    if user.id == actor().id:
        return _own_account()
    form = ResetForm()
    if form.validate_on_submit():
        with unit_of_work(form) as done:
            accounts.reset_password(get_db(), actor(), user, form.password.data)
        if done:
            flash(f"账号“{user.username}”的密码{RESET_DONE}", "success")
            return redirect(url_for("users.index"))
    return render_template("users/password.html", user=user, form=form, policy=passwords.POLICY_TEXT)


@bp.route("/<int:user_id>/password/generate", methods=["POST"])
@login_required
def generate_password(user_id: int):
    """Reset to a generated temporary password, shown on this response only (never stored in
    the session, a flash message or the log)."""
    user = _managed(user_id)
    if user.id == actor().id:
        return _own_account()
    password = passwords.generate_password(user.username)  # CSRF is checked app-wide first
    with unit_of_work() as done:
        accounts.reset_password(get_db(), actor(), user, password)
    if not done:  # pragma: no cover - a generated password meets the policy
        return redirect(url_for("users.reset_password", user_id=user.id))
    return render_template("users/password_done.html", user=user, password=password,
                           done=RESET_DONE)
