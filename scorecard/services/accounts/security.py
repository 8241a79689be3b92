"""Account security (等保 2.0 三级 身份鉴别 / OWASP ASVS V2, V3): password policy and history,
login with per-account lockout, password change and reset.

Every refusal is a Chinese message; a failed login never says whether the username exists:
unknown usernames get the same message, the same hashing cost and the same lockout behaviour
(reconstructed from the audit log) as real accounts.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scorecard.models import AuditEntry, PasswordHistory, User, utcnow
from scorecard.services import audit
from scorecard.services.accounts import passwords
from scorecard.services.errors import PermissionDenied, ServiceError

MIN_LENGTH = 10
MIN_CLASSES = 3
HISTORY_SIZE = 5  # a new password may not equal any of the last five
MAX_FAILURES = 5
LOCK_MINUTES = 15
MAX_LENGTH = 128  # argon2 copes, but a megabyte "password" is a cheap DoS
# Audit entities of security events (logins, refused requests), as opposed to data changes:
# "database unchanged" checks in tests look at the other entities.
SECURITY_ENTITIES = ("login", "request")

POLICY_TEXT = (f"至少{MIN_LENGTH}位，包含大写字母、小写字母、数字、符号中的至少{MIN_CLASSES}类，"
               f"不得包含用户名，不得与最近{HISTORY_SIZE}次使用过的密码相同。")
BAD_LOGIN = "用户名或密码错误"
LOCKED = f"连续登录失败次数过多，账号已被锁定，请{LOCK_MINUTES}分钟后再试或联系系统管理员"


# --- policy ---------------------------------------------------------------------------------

def character_classes(password: str) -> int:
    """Upper, lower, digit, other (symbols; CJK and other non-ASCII letters count as other)."""
    upper = any("A" <= c <= "Z" for c in password)
    lower = any("a" <= c <= "z" for c in password)
    digit = any("0" <= c <= "9" for c in password)
    other = any(not ("A" <= c <= "Z" or "a" <= c <= "z" or "0" <= c <= "9") for c in password)
    return upper + lower + digit + other


def policy_problems(password: str, username: str) -> list[str]:
    """Chinese messages for every rule the password breaks (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"密码至少{MIN_LENGTH}位")
    if len(password) > MAX_LENGTH:
        problems.append(f"密码不能超过{MAX_LENGTH}位")
    if character_classes(password) < MIN_CLASSES:
        problems.append(f"密码须包含大写字母、小写字母、数字、符号中的至少{MIN_CLASSES}类")
    name = (username or "").strip().lower()
    if len(name) >= 3 and name in password.lower():
        problems.append("密码不能包含用户名")
    return problems


def check_policy(password: str, username: str) -> None:
    problems = policy_problems(password, username)
    if problems:
        raise ServiceError("；".join(problems), "password")


# Temporary passwords an administrator reads out or passes on: no look-alikes (I l 1 O o 0).
_GENERATED_GROUPS = ("ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz", "23456789")


def generate_password(username: str) -> str:
    """A random temporary password (secrets) in the form Xk7p-Rm3q-Tz8w (~70 bits), always
    satisfying the policy: upper, lower and digit present, hyphens as symbols, no username."""
    alphabet = "".join(_GENERATED_GROUPS)
    while True:
        password = "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
        if character_classes(password) == 4 and not policy_problems(password, username):
            return password


def _recent_hashes(session: Session, user: User) -> list[str]:
    rows = session.scalars(
        select(PasswordHistory.password_hash).where(PasswordHistory.user_id == user.id)
        .order_by(PasswordHistory.created_at.desc(), PasswordHistory.id.desc()).limit(HISTORY_SIZE)
    ).all()
    return list(dict.fromkeys([user.password_hash, *rows]))[:HISTORY_SIZE] if user.password_hash else list(rows)


def _check_reuse(session: Session, user: User, password: str) -> None:
    if any(passwords.verify_password(h, password) for h in _recent_hashes(session, user)):
        raise ServiceError(f"新密码不能与最近{HISTORY_SIZE}次使用过的密码相同", "password")


def remember_password(session: Session, user: User) -> None:
    """Store the user's current hash in the history and keep only the last HISTORY_SIZE."""
    session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))
    session.flush()
    keep = select(PasswordHistory.id).where(PasswordHistory.user_id == user.id).order_by(
        PasswordHistory.created_at.desc(), PasswordHistory.id.desc()).limit(HISTORY_SIZE)
    session.execute(delete(PasswordHistory).where(PasswordHistory.user_id == user.id,
                                                  PasswordHistory.id.not_in(keep.scalar_subquery())))


def _set_password(session: Session, user: User, password: str, must_change: bool) -> None:
    check_policy(password, user.username)
    _check_reuse(session, user, password)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = must_change
    user.session_version = (user.session_version or 1) + 1  # revoke other sessions
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    remember_password(session, user)


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Self-service change (also the forced change after an administrator set the password)."""
    if not passwords.verify_password(user.password_hash, current or ""):
        raise ServiceError("当前密码不正确", "current")
    if current == new:
        raise ServiceError("新密码不能与当前密码相同", "password")
    _set_password(session, user, new, must_change=False)
    audit.record(session, user, "change_password", "user", user.id, new={"username": user.username})


def reset_password(session: Session, actor: User | None, user: User, new: str) -> None:
    """An administrator (or the CLI, actor None) sets a password; the user must change it."""
    _require_manager(actor, user)
    _set_password(session, user, new, must_change=True)
    audit.record(session, actor, "reset_password", "user", user.id, new={"username": user.username})


def is_locked(user: User, now: dt.datetime | None = None) -> bool:
    """Locked out after repeated failed logins, until locked_until (UTC)."""
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def unlock(session: Session, actor: User | None, user: User) -> bool:
    _require_manager(actor, user)
    if not user.locked_until and not user.failed_logins:
        return False
    user.locked_until = None
    user.failed_logins = 0
    session.flush()
    audit.record(session, actor, "unlock", "user", user.id, new={"username": user.username})
    return True


def _require_manager(actor: User | None, user: User) -> None:
    from scorecard.services import permissions

    if actor is not None and not (permissions.can_manage_users(actor)
                                  and permissions.in_scope(actor, user.scope_org)):
        raise PermissionDenied("您没有权限管理该账号")


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
