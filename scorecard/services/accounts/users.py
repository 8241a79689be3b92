"""Account administration: create (the password policy applies), list in scope, activate /
deactivate, clear a lockout, reset a password, and the state shown for each account.

The web actor must manage the account (permissions.can_manage_user: administrator, account in
their sub-tree); actor None is the console. Every change writes an audit row with the username
only: a password is never shown again or logged.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scorecard.models import ROLES, Organisation, User, utcnow
from scorecard.services import audit, permissions
from scorecard.services.accounts import passwords, sessions, throttle
from scorecard.services.accounts.security import is_locked
from scorecard.services.clock import local_time
from scorecard.services.errors import PermissionDenied, ServiceError

NOT_YOURS = "您没有权限管理该账号"


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
    org = _org(session, org_code, "org_code")
    home = _org(session, home_org_code, "home_org_code") if home_org_code else None
    passwords.check_policy(password, username)
    user = User(
        username=username,
        display_name=(display_name or username).strip(),
        password_hash=passwords.hash_password(password),
        role=role,
        scope_org=org,
        home_org=home,
        must_change_password=must_change_password,
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()

    passwords.remember_password(session, user)
    audit.record(session, actor, "create", "user", user.id,
                 new={"username": username, "role": role, "org": org.code,
                      "home_org": home.code if home else None})
    return user


def _org(session: Session, code: str, field: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.code == code.strip()))
    if org is None:
        raise ServiceError(f"组织编码“{code}”不存在", field)
    return org


def outside_scope(session: Session, actor: User, code: str) -> bool:
    """Whether an existing organisation code lies outside the actor's scope (an unknown code
    is create_user's to refuse)."""
    org = session.scalar(select(Organisation).where(Organisation.code == code.strip()))
    return org is not None and not permissions.in_scope(actor, org)


def users_in_scope(session: Session, actor: User) -> list[User]:
    """The accounts an administrator sees: scope organisation in their sub-tree, by username."""
    if not permissions.can_manage_users(actor):
        raise PermissionDenied()
    return list(session.scalars(
        select(User).join(Organisation, User.scope_org_id == Organisation.id)
        .where(Organisation.path.startswith(actor.scope_org.path))
        .options(selectinload(User.scope_org), selectinload(User.home_org))
        .order_by(User.username)
    ))


def account_states(user: User, now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """(Chinese label, CSS class) for every state that applies; 正常 when none does."""
    now = now or utcnow()
    states = []
    if not user.active:
        states.append(("已停用", "draft"))
    if is_locked(user, now):  # logins delayed after failures (services/accounts/throttle.py)
        states.append((f"登录受限（失败{user.failed_logins}次，至 {local_time(user.locked_until):%H:%M}）",
                       "locked"))
    if user.must_change_password:
        states.append(("需修改密码", "must-change"))
    return states or [("正常", "published")]


def _require_manager(actor: User | None, user: User) -> None:
    if actor is not None and not permissions.can_manage_user(actor, user):
        raise PermissionDenied(NOT_YOURS)


def set_user_active(session: Session, actor: User, user: User, active: bool) -> bool:
    """Activate/deactivate an account in the actor's scope. Returns True when changed."""
    _require_manager(actor, user)
    if user.id == actor.id and not active:
        raise ServiceError("不能停用自己的账号", "active")
    if user.active == active:
        return False
    user.active = active
    session.flush()
    if not active:
        sessions.end_all(session, user, "deactivated")  # reactivation does not revive them
    audit.record(session, actor, "activate" if active else "deactivate", "user", user.id,
                 old={"username": user.username, "active": not active},
                 new={"username": user.username, "active": active})
    return True


def reset_password(session: Session, actor: User | None, user: User, new: str) -> None:
    """An administrator (or the CLI, actor None) sets a password; the user must change it."""
    _require_manager(actor, user)
    passwords.set_password(session, user, new, must_change=True)
    audit.record(session, actor, "reset_password", "user", user.id, new={"username": user.username})


def unlock(session: Session, actor: User | None, user: User) -> bool:
    """Lift the login delays on an account from every address (and the failure count).
    Returns True when there was one."""
    _require_manager(actor, user)
    if not user.locked_until and not user.failed_logins:
        return False
    throttle.clear_name(session, user.username)
    user.locked_until = None
    user.failed_logins = 0
    session.flush()
    audit.record(session, actor, "unlock", "user", user.id, new={"username": user.username})
    return True


def users_scoped_at(session: Session, actor: User, org: Organisation) -> list[User]:
    """The accounts whose data scope is exactly this organisation (for its page): only an
    administrator sees them, others get an empty list."""
    if not permissions.can_manage_users(actor):
        return []
    return list(session.scalars(select(User).where(User.scope_org_id == org.id).order_by(User.username)))
