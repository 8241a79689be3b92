"""Accounts: creation (the password policy applies) and the policy check for other callers."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scorecard.models import ROLES, Organisation, User, utcnow
from scorecard.services import audit
from scorecard.services.accounts.passwords import hash_password
from scorecard.services.accounts.security import check_policy, remember_password
from scorecard.services.errors import ServiceError


def check_password_rules(password: str, username: str = "") -> None:
    """The password policy (services/accounts/security.py): length, character classes, no username."""
    check_policy(password, username)


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
