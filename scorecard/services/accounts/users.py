"""Accounts: password hashing (argon2id, werkzeug fallback), creation and login."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from scorecard.models import ROLES, Organisation, User, utcnow
from scorecard.services import audit
from scorecard.services.errors import ServiceError

try:  # argon2-cffi has no wheel on some platforms (LoongArch); werkzeug is the fallback
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    _hasher: PasswordHasher | None = PasswordHasher()
except ImportError:  # pragma: no cover
    _hasher = None


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


def check_password_rules(password: str, username: str = "") -> None:
    """The password policy (services/accounts/security.py): length, character classes, no username."""
    from scorecard.services.accounts.security import check_policy

    check_policy(password, username)


def rehash_if_needed(user: User, password: str) -> None:
    """After a successful check: upgrade old hashes (werkzeug, weaker argon2) to the current one."""
    if _hasher is None:  # pragma: no cover
        return
    if not user.password_hash.startswith("$argon2") or _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)


def create_user(
    session: Session,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    org_code: str,
    display_name: str | None = None,
    home_org_code: str | None = None,
    must_change_password: bool = True,
) -> User:
    """Accounts created by an administrator or the CLI must change their password at first
    login; the demo passes must_change_password=False."""
    username = username.strip()
    if not username:
        raise ServiceError("用户名不能为空", "username")
    if role not in ROLES:
        raise ServiceError(f"角色“{role}”无效，可选：{'、'.join(ROLES)}", "role")
    if session.scalar(select(User).where(User.username == username)):
        raise ServiceError(f"用户名“{username}”已存在", "username")
    org = _org(session, org_code, "org")
    home = _org(session, home_org_code, "home_org") if home_org_code else None
    check_password_rules(password, username)
    user = User(
        username=username,
        display_name=(display_name or username).strip(),
        password_hash=hash_password(password),
        role=role,
        scope_org=org,
        home_org=home,
        must_change_password=must_change_password,
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    from scorecard.services.accounts.security import remember_password

    remember_password(session, user)
    audit.record(session, actor, "create", "user", user.id,
                 new={"username": username, "role": role, "org": org.code,
                      "home_org": home.code if home else None})
    return user


def _org(session: Session, code: str, field: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.code == code.strip()))
    if org is None:
        raise ServiceError(f"组织编码“{code}”不存在", field)
    return org


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active:
        hash_password(password)  # same cost whether or not the user exists
        return None
    if not verify_password(user.password_hash, password):
        return None
    rehash_if_needed(user, password)
    return user
