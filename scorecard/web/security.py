"""Web-side security controls: response headers, cookie flags, reverse-proxy awareness, the
server-side session check (revocation, idle timeout, absolute lifetime), the forced password
change, and audit rows for refused requests (403).

Settings (environment → app.config, create_app overrides win):
  SCORECARD_SESSION_IDLE_MINUTES → SESSION_IDLE_MINUTES (default 30)
  SCORECARD_SESSION_MAX_HOURS → SESSION_MAX_HOURS (default 12): absolute lifetime of a session
      (sessions live in the database, services/accounts/sessions.py; the cookie holds a token)
  SCORECARD_LOGIN_MAX_FAILURES / SCORECARD_LOGIN_LOCK_MINUTES → LOGIN_MAX_FAILURES (5) /
      LOGIN_LOCK_MINUTES (15): free failures of a name from one address, then a delay doubling
      from 30 s up to that many minutes (services/accounts/throttle.py)
  SCORECARD_LOGIN_ADDRESS_MAX_FAILURES → LOGIN_ADDRESS_MAX_FAILURES (20): free failures of one
      client address over all names, then the same delays
  SCORECARD_LOGIN_ACCOUNT_MAX_FAILURES / SCORECARD_LOGIN_ACCOUNT_DELAY_SECONDS →
      LOGIN_ACCOUNT_MAX_FAILURES (50) / LOGIN_ACCOUNT_DELAY_SECONDS (60): a name from all addresses
  SCORECARD_HTTPS=1 → Secure cookies and HSTS (the site is only reached over HTTPS)
  SCORECARD_PROXY_FIX=N → trust N reverse proxies' X-Forwarded-For/-Proto/-Host (ProxyFix);
      cookies are then also marked Secure whenever the proxy says the request came over HTTPS.
"""
from __future__ import annotations

import datetime as dt
import os
import time

from flask import Flask, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix

from scorecard.services import audit
from scorecard.services.accounts import security as security_svc
from scorecard.services.accounts import sessions as sessions_svc
from scorecard.services.accounts import throttle
from scorecard.services.errors import PermissionDenied

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
PERMISSIONS_POLICY = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                      "interest-cohort=()")
SID_KEY = "_sid"  # the server-side session's token (services/accounts/sessions.py)
FORCED_CHANGE_ALLOWED = {"account.password", "auth.logout", "static"}

clock = time.time  # tests replace this to travel in time


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() else default


class _SessionInterface(SecureCookieSessionInterface):
    """Secure cookie when configured, or when the (proxied) request itself came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    cfg = app.config
    cfg.setdefault("SESSION_IDLE_MINUTES", _env_int("SCORECARD_SESSION_IDLE_MINUTES", 30))
    cfg.setdefault("SESSION_MAX_HOURS", _env_int("SCORECARD_SESSION_MAX_HOURS", 12))
    cfg.setdefault("LOGIN_MAX_FAILURES", _env_int("SCORECARD_LOGIN_MAX_FAILURES", security_svc.MAX_FAILURES))
    cfg.setdefault("LOGIN_LOCK_MINUTES", _env_int("SCORECARD_LOGIN_LOCK_MINUTES", security_svc.LOCK_MINUTES))
    cfg.setdefault("LOGIN_ADDRESS_MAX_FAILURES",
                   _env_int("SCORECARD_LOGIN_ADDRESS_MAX_FAILURES", throttle.ADDRESS_MAX_FAILURES))
    cfg.setdefault("LOGIN_ACCOUNT_MAX_FAILURES",
                   _env_int("SCORECARD_LOGIN_ACCOUNT_MAX_FAILURES", throttle.ACCOUNT_MAX_FAILURES))
    cfg.setdefault("LOGIN_ACCOUNT_DELAY_SECONDS",
                   _env_int("SCORECARD_LOGIN_ACCOUNT_DELAY_SECONDS", throttle.ACCOUNT_DELAY_SECONDS))
    cfg.setdefault("HTTPS", os.environ.get("SCORECARD_HTTPS") == "1")
    cfg.setdefault("PROXY_FIX", _env_int("SCORECARD_PROXY_FIX", 0))
    if cfg["HTTPS"]:
        cfg["SESSION_COOKIE_SECURE"] = True
        cfg["REMEMBER_COOKIE_SECURE"] = True
    cfg.setdefault("SESSION_COOKIE_HTTPONLY", True)
    cfg.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    cfg["REMEMBER_COOKIE_HTTPONLY"] = True
    cfg["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    if cfg["PROXY_FIX"]:
        n = int(cfg["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    app.session_interface = _SessionInterface()
    app.before_request(_server_session)
    app.before_request(_forced_password_change)
    app.after_request(_security_headers)
    app.register_error_handler(403, _forbidden)


def login_limits() -> throttle.Limits:
    cfg = current_app.config
    return throttle.Limits(
        max_failures=int(cfg["LOGIN_MAX_FAILURES"]), lock_minutes=int(cfg["LOGIN_LOCK_MINUTES"]),
        address_max_failures=int(cfg["LOGIN_ADDRESS_MAX_FAILURES"]),
        account_max_failures=int(cfg["LOGIN_ACCOUNT_MAX_FAILURES"]),
        account_delay_seconds=int(cfg["LOGIN_ACCOUNT_DELAY_SECONDS"]))


def now() -> dt.datetime:
    """Naive UTC from `clock` (which tests replace)."""
    return dt.datetime.fromtimestamp(clock(), dt.timezone.utc).replace(tzinfo=None)


def mark_active() -> None:
    """Start a server-side session for the user just signed in (login, own password change) and
    commit it; the cookie keeps only its token."""
    from scorecard.web.common import get_db

    db = get_db()
    session[SID_KEY] = sessions_svc.start(db, current_user._get_current_object(), now(), request.remote_addr)
    db.commit()


def _server_session():
    """Every signed-in request must carry a live server-side session: revoked (logout, password
    change, deactivation), idle or past its absolute lifetime → signed out before any view runs,
    so nothing a replayed cookie asks for is read or written."""
    if request.endpoint == "static":
        return None
    from scorecard.web.common import get_db

    cfg = current_app.config
    if not current_user.is_authenticated:
        if SID_KEY not in session:
            return None
        reason = sessions_svc.REVOKED  # the account is gone, deactivated or its password changed
    else:
        db = get_db()
        reason = sessions_svc.check(db, session.get(SID_KEY), current_user.id, now(),
                                    int(cfg["SESSION_IDLE_MINUTES"]), int(cfg["SESSION_MAX_HOURS"]))
        if db.dirty:
            db.commit()
    if reason is None:
        return None
    logout_user()
    session.clear()
    if request.endpoint == "auth.login":
        return None  # signing in again with a stale cookie: just start afresh
    if reason == sessions_svc.IDLE:
        message = f"您已超过{cfg['SESSION_IDLE_MINUTES']}分钟未操作，已自动退出，请重新登录"
    elif reason == sessions_svc.EXPIRED:
        message = f"登录已超过{cfg['SESSION_MAX_HOURS']}小时，已自动退出，请重新登录"
    else:
        message = "登录已失效（已退出、密码已修改或账号已停用），请重新登录"
    if request.path.startswith("/api/"):
        return jsonify(ok=False, error=message, field=None), 401
    flash(message, "warning")
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def _forced_password_change():
    if request.endpoint in FORCED_CHANGE_ALLOWED or not current_user.is_authenticated:
        return None
    if current_user.must_change_password:
        flash("为了账号安全，请先修改初始密码", "warning")
        return redirect(url_for("account.password"))
    return None


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint != "static" and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"  # pages carry personal data; no shared caching
    if current_app.config.get("HTTPS") or request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _forbidden(_e):
    return forbidden()


def forbidden(message: str | None = None):
    """403 page (JSON under /api/) saying why when the predicate said so; the refusal is written
    to the audit log (who, what, where)."""
    from scorecard.web.common import get_db

    try:
        db = get_db()
        db.rollback()  # nothing the refused view did may be committed
        actor = current_user._get_current_object() if current_user.is_authenticated else None
        audit.record(db, actor, "forbidden", "request", None,
                     new={"method": request.method, "path": request.path[:300],
                          "endpoint": request.endpoint, "ip": request.remote_addr})
        db.commit()
    except Exception:  # pragma: no cover - the refusal must be shown even if logging fails
        current_app.logger.exception("could not audit a 403")
    if not message or message == PermissionDenied().message:
        message = "您没有权限访问该页面或数据"
    if request.path.startswith("/api/"):
        return jsonify(ok=False, error=message, field=None), 403
    return render_template("error.html", code=403, message=message), 403
