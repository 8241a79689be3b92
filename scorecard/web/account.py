"""The signed-in user's own account: change password (also the forced first-login change)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo

from scorecard.services.accounts import passwords
from scorecard.web.common import actor, get_db, unit_of_work
from scorecard.web.security import mark_active

bp = Blueprint("account", __name__, url_prefix="/account")


class PasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")])
    password = PasswordField("新密码", validators=[DataRequired("请输入新密码")])
    confirm = PasswordField("确认新密码", validators=[DataRequired("请再次输入新密码"),
                                                  EqualTo("password", "两次输入的新密码不一致")])


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = actor()
        with unit_of_work(form) as done:
            passwords.change_password(get_db(), user, form.current.data, form.password.data)
        if done:
            login_user(user)  # the session version changed: other sessions are signed out
            mark_active()
            flash("密码已修改，其他设备上的登录已失效", "success")
            return redirect(url_for("home.index"))
    return render_template("account/password.html", form=form, policy=passwords.POLICY_TEXT,
                           forced=current_user.must_change_password)
