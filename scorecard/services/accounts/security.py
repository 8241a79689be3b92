"""Login with per-account lockout (等保 2.0 三级 身份鉴别 / OWASP ASVS V2, V3).

A failed login never says whether the username exists: unknown usernames get the same message,
the same hashing cost and the same lockout behaviour (reconstructed from the audit log) as real
accounts. Passwords (policy, history, change) live in passwords.py, account administration
(create, activate, unlock, reset) in users.py.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scorecard.models import AuditEntry, User, utcnow
from scorecard.services import audit
from scorecard.services.accounts import passwords, sessions
from scorecard.services.accounts.passwords import MAX_LENGTH

MAX_FAILURES = 5
LOCK_MINUTES = 15
# Audit entities of security events (logins, refused requests), as opposed to data changes:
# "database unchanged" checks in tests look at the other entities.
SECURITY_ENTITIES = ("login", "request")
# Tables of security state (sessions, login throttles) that signing in and out changes.
SECURITY_TABLES = ("login_session", "login_throttle")

BAD_LOGIN = "用户名或密码错误"
LOCKED = f"连续登录失败次数过多，账号已被锁定，请{LOCK_MINUTES}分钟后再试或联系系统管理员"


def is_locked(user: User, now: dt.datetime | None = None) -> bool:
    """Locked out after repeated failed logins, until locked_until (UTC)."""
    return user.locked_until is not None and user.locked_until > (now or utcnow())


# --- login ----------------------------------------------------------------------------------

@dataclass
class LoginResult:
    user: User | None
    message: str | None = None  # Chinese refusal, None on success

    @property
    def ok(self) -> bool:
        return self.user is not None and self.message is None


def login(session: Session, username: str, password: str, remote_addr: str | None = None,
          now: dt.datetime | None = None, max_failures: int = MAX_FAILURES,
          lock_minutes: int = LOCK_MINUTES) -> LoginResult:
    """Check credentials with lockout; writes audit rows (the caller commits either way)."""
    now = now or utcnow()
    name = (username or "").strip()[:50]
    password = (password or "")[:MAX_LENGTH * 8]
    detail = {"username": name, "ip": remote_addr}
    user = session.scalar(select(User).where(User.username == name)) if name else None
    if user is None or not user.active:
        passwords.hash_password(password)  # same cost whether or not the account exists
        state = _unknown_state(session, name, now, max_failures, lock_minutes)
        audit.record(session, None, "login_locked" if state == "locked" else "login_failed", "login",
                     user.id if user else None, new=detail)
        return LoginResult(None, BAD_LOGIN if state == "failed" else LOCKED)
    if user.locked_until is not None:
        if user.locked_until > now:
            passwords.hash_password(password)
            audit.record(session, None, "login_locked", "login", user.id, new=detail)
            return LoginResult(None, LOCKED)
        user.locked_until, user.failed_logins = None, 0
    if not passwords.verify_password(user.password_hash, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + dt.timedelta(minutes=lock_minutes)
            user.failed_logins = 0
            detail = {**detail, "locked_until": user.locked_until.isoformat(timespec="seconds")}
        session.flush()
        audit.record(session, None, "login_failed", "login", user.id, new=detail)
        return LoginResult(None, LOCKED if user.locked_until else BAD_LOGIN)
    passwords.rehash_if_needed(user, password)
    user.failed_logins = 0
    user.last_login_at = now
    session.flush()
    audit.record(session, user, "login", "login", user.id, new=detail)
    return LoginResult(user)


def _unknown_state(session: Session, name: str, now: dt.datetime, max_failures: int,
                   lock_minutes: int) -> str:
    """"locked", "locks_now" or "failed": the lockout state machine replayed over the recent
    failures recorded for a username without an (active) account, so that such a name behaves
    exactly like a real account."""
    if not name:
        return "failed"
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "login", AuditEntry.action == "login_failed",
                                 AuditEntry.at >= now - dt.timedelta(days=1))
        .order_by(AuditEntry.id.desc()).limit(2000)
    ).all()
    failures = sorted(r.at for r in rows if isinstance(r.new, dict) and r.new.get("username") == name)
    count, locked_until = 0, None
    for at in failures:
        if locked_until is not None:
            if at < locked_until:
                continue
            locked_until = None
        count += 1
        if count >= max_failures:
            locked_until, count = at + dt.timedelta(minutes=lock_minutes), 0
    if locked_until is not None and locked_until > now:
        return "locked"
    if locked_until is not None:
        count = 0
    return "locks_now" if count + 1 >= max_failures else "failed"


def logout(session: Session, user: User, token: object = None) -> None:
    """End the server-side session of that token (a replayed cookie is refused from now on) and
    record it; the web layer clears the browser's session itself."""
    sessions.end(session, token)
    audit.record(session, user, "logout", "login", user.id, new={"username": user.username})
