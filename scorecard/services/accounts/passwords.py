"""Passwords (等保 2.0 三级 身份鉴别 / OWASP ASVS V2): hashing, the policy, generated temporary
passwords, the history of recent hashes, and setting or changing a password.

Hashing is argon2id, with werkzeug's scrypt as the fallback where argon2-cffi has no wheel.
"""
from __future__ import annotations

import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from scorecard.models import PasswordHistory, User, utcnow
from scorecard.services import audit
from scorecard.services.accounts import sessions, throttle
from scorecard.services.errors import ServiceError

try:  # argon2-cffi has no wheel on some platforms (LoongArch); werkzeug is the fallback
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    _hasher: PasswordHasher | None = PasswordHasher()
except ImportError:  # pragma: no cover
    _hasher = None

MIN_LENGTH = 10
MIN_CLASSES = 3
HISTORY_SIZE = 5  # a new password may not equal any of the last five
MAX_LENGTH = 128  # argon2 copes, but a megabyte "password" is a cheap DoS

POLICY_TEXT = (f"至少{MIN_LENGTH}位，包含大写字母、小写字母、数字、符号中的至少{MIN_CLASSES}类，"
               f"不得包含用户名，不得与最近{HISTORY_SIZE}次使用过的密码相同。")


# --- hashing ----------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    if _hasher is not None:
        return _hasher.hash(password)
    return generate_password_hash(password, "scrypt:131072:8:1")  # pragma: no cover


def verify_password(stored: str, password: str) -> bool:
    if stored.startswith("$argon2") and _hasher is not None:
        try:
            return _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    try:
        return check_password_hash(stored, password)
    except ValueError:
        return False


def rehash_if_needed(user: User, password: str) -> None:
    """After a successful check: upgrade old hashes (werkzeug, weaker argon2) to the current one."""
    if _hasher is None:  # pragma: no cover
        return
    if not user.password_hash.startswith("$argon2") or _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)


# --- policy -----------------------------------------------------------------------------------

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


# --- history ----------------------------------------------------------------------------------

def _recent_hashes(session: Session, user: User) -> list[str]:
    rows = session.scalars(
        select(PasswordHistory.password_hash).where(PasswordHistory.user_id == user.id)
        .order_by(PasswordHistory.created_at.desc(), PasswordHistory.id.desc()).limit(HISTORY_SIZE)
    ).all()
    return list(dict.fromkeys([user.password_hash, *rows]))[:HISTORY_SIZE] if user.password_hash else list(rows)


def _check_reuse(session: Session, user: User, password: str) -> None:
    if any(verify_password(h, password) for h in _recent_hashes(session, user)):
        raise ServiceError(f"新密码不能与最近{HISTORY_SIZE}次使用过的密码相同", "password")


def remember_password(session: Session, user: User) -> None:
    """Store the user's current hash in the history and keep only the last HISTORY_SIZE."""
    session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))
    session.flush()
    keep = select(PasswordHistory.id).where(PasswordHistory.user_id == user.id).order_by(
        PasswordHistory.created_at.desc(), PasswordHistory.id.desc()).limit(HISTORY_SIZE)
    session.execute(delete(PasswordHistory).where(PasswordHistory.user_id == user.id,
                                                  PasswordHistory.id.not_in(keep.scalar_subquery())))


# --- setting a password -----------------------------------------------------------------------

def set_password(session: Session, user: User, password: str, must_change: bool) -> None:
    """Policy and history checked; other sessions revoked and any lockout cleared."""
    check_policy(password, user.username)
    _check_reuse(session, user, password)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = must_change
    user.session_version = (user.session_version or 1) + 1  # revoke other sessions
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    sessions.end_all(session, user, "password")  # server-side: every cookie of the old password
    throttle.clear_name(session, user.username)
    remember_password(session, user)


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Self-service change (also the forced change after an administrator set the password)."""
    if not verify_password(user.password_hash, current or ""):
        raise ServiceError("当前密码不正确", "current")
    if current == new:
        raise ServiceError("新密码不能与当前密码相同", "password")
    set_password(session, user, new, must_change=False)
    audit.record(session, user, "change_password", "user", user.id, new={"username": user.username})
