"""Accounts bound to a scope organisation (data scope = that subtree)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.models.base import Base, utcnow
from scorecard.models.orgs import Organisation

ROLES = {
    "admin": "系统管理员",
    "assessor": "考核员",
    "unit": "填报员",
    "leader": "领导",
    "clerk": "积分管理员",
}


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    scope_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    home_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Account security (等保 2.0 / ASVS V2, V3): lockout, forced change, session revocation
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None]
    password_changed_at: Mapped[dt.datetime | None]
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    last_login_at: Mapped[dt.datetime | None]

    scope_org: Mapped[Organisation] = relationship(foreign_keys=[scope_org_id])
    home_org: Mapped[Organisation | None] = relationship(foreign_keys=[home_org_id])

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # Bumping session_version (password change, deactivation) revokes every session cookie.
        return f"{self.id}:{self.session_version}"


class PasswordHistory(Base):
    """Previous password hashes, so the last few cannot be reused."""
    __tablename__ = "password_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LoginSession(Base):
    """A signed-in session, held server-side so that it can be revoked (logout, password change,
    deactivation) and expire (idle timeout, absolute lifetime) whatever the browser still keeps.
    The cookie carries only a random token; the row is keyed by its SHA-256."""
    __tablename__ = "login_session"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(20))
    ip: Mapped[str | None] = mapped_column(String(64))


class LoginThrottle(Base):
    """Failed-login counters for what has no account row: client addresses ("addr:<ip>") and
    usernames without an active account ("name:<username>"), so that they throttle exactly like
    real accounts (whose counters are user_account.failed_logins / locked_until)."""
    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(index=True)
    blocked_until: Mapped[dt.datetime | None]
