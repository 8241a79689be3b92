"""Login with growing delays per name, per client address and per name-and-address
(等保 2.0 三级 身份鉴别 / OWASP ASVS V2.2, V3), see throttle.py: nobody can lock someone else's
account with wrong passwords; a flood from one address only slows that address down.

A failed login never says whether the username exists: unknown and inactive usernames go through
the same counters (rows keyed by the name, not by an account), get the same messages and the same
hashing cost as real accounts. Passwords (policy, history, change) live in passwords.py, account
administration (create, activate, unlock, reset) in users.py.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scorecard.models import User, utcnow
from scorecard.services import audit
from scorecard.services.accounts import passwords, sessions, throttle
from scorecard.services.accounts.passwords import MAX_LENGTH

MAX_FAILURES = 5
LOCK_MINUTES = 15
# Audit entities of security events (logins, refused requests), as opposed to data changes:
# "database unchanged" checks in tests look at the other entities.
SECURITY_ENTITIES = ("login", "request")
# Tables of security state (sessions, login throttles) that signing in and out changes.
SECURITY_TABLES = ("login_session", "login_throttle")

BAD_LOGIN = "用户名或密码错误"
LOCKED = "登录失败次数过多，请稍后再试"  # every throttled answer starts with this


def throttled_message(wait_seconds: int) -> str:
    wait = f"{math.ceil(wait_seconds / 60)}分钟" if wait_seconds > 90 else f"{max(1, wait_seconds)}秒"
    return f"{LOCKED}（{wait}后）；如忘记密码请联系系统管理员"


def is_locked(user: User, now: dt.datetime | None = None) -> bool:
    """Logins of this account are being delayed (until locked_until, UTC) after failures."""
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
          lock_minutes: int = LOCK_MINUTES, limits: throttle.Limits | None = None) -> LoginResult:
    """Check credentials under the throttles; writes audit rows (the caller commits either way)."""
    now = now or utcnow()
    limits = limits or throttle.Limits(max_failures=max_failures, lock_minutes=lock_minutes)
    name = (username or "").strip()[:50]
    password = (password or "")[:MAX_LENGTH * 8]
    detail = {"username": name, "ip": remote_addr}
    user = session.scalar(select(User).where(User.username == name)) if name else None
    uid = user.id if user else None
    until = throttle.blocked_until(session, name, remote_addr, now)
    if until is not None:  # not checked, not counted: the same for every name
        passwords.hash_password(password)
        wait = math.ceil((until - now).total_seconds())
        audit.record(session, None, "login_locked", "login", uid, new={**detail, "wait_seconds": wait})
        return LoginResult(None, throttled_message(wait))
    if user is None or not user.active:
        passwords.hash_password(password)  # same cost whether or not the account exists
        ok = False
    else:
        ok = passwords.verify_password(user.password_hash, password)
    if not ok:
        failures, until = throttle.failed(session, name, remote_addr, now, limits)
        if user is not None:  # shown on the 账号 page; unknown names keep theirs in login_throttle
            user.failed_logins = failures
            if until is not None:
                user.locked_until = until
        if until is not None:
            detail = {**detail, "locked_until": until.isoformat(timespec="seconds")}
        session.flush()
        audit.record(session, None, "login_failed", "login", uid, new=detail)
        if until is not None:
            return LoginResult(None, throttled_message(math.ceil((until - now).total_seconds())))
        return LoginResult(None, BAD_LOGIN)
    passwords.rehash_if_needed(user, password)
    throttle.succeeded(session, name, remote_addr)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.flush()
    audit.record(session, user, "login", "login", user.id, new=detail)
    return LoginResult(user)


def logout(session: Session, user: User, token: object = None) -> None:
    """End the server-side session of that token (a replayed cookie is refused from now on) and
    record it; the web layer clears the browser's session itself."""
    sessions.end(session, token)
    audit.record(session, user, "logout", "login", user.id, new={"username": user.username})
