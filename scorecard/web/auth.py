"""Login and logout (login delays and audit live in services/accounts/security.py, the forced
password change in web/security.py)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from scorecard.services.accounts import security
from scorecard.web.common import actor, get_db, unit_of_work
from scorecard.web.security import SID_KEY, login_limits, mark_active

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        with unit_of_work():  # failures and delays are recorded too
            result = security.login(get_db(), form.username.data, form.password.data,
                                    request.remote_addr, limits=login_limits())
        if not result.ok:
            flash(result.message, "danger")
        else:
            session.clear()  # no pre-login session data survives (fixation)
            login_user(result.user)
            mark_active()
            if result.user.must_change_password:
                return redirect(url_for("account.password"))
            return redirect(_safe_next(request.args.get("next", "")))
    return render_template("login.html", form=form)


def _safe_next(target: str) -> str:
    if not target.startswith("/") or target.startswith("//") or target.startswith("/\\") \
            or urlsplit(target).netloc:
        return url_for("home.index")
    return target


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    with unit_of_work():
        security.logout(get_db(), actor(), session.get(SID_KEY))
    logout_user()
    session.clear()
    flash("已退出登录", "info")
    return redirect(url_for("auth.login"))
