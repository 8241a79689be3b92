"""Server-side login sessions (ASVS V3): the cookie carries only a random token; the row keyed
by its SHA-256 says who, since when, last seen when and whether it was revoked. Every app process
(gunicorn worker) sees the same rows, so a logout, a password change or a deactivation ends the
session everywhere, and a replayed cookie is refused. Idle timeout and absolute lifetime are
measured on the row, not on anything the browser sends back."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import update
from sqlalchemy.orm import Session

from scorecard.models import User, utcnow
from scorecard.models.accounts import LoginSession

SEEN_REFRESH_SECONDS = 30  # write last_seen_at at most this often while the user is active

# Why a session is no longer valid (None: it is)
REVOKED, IDLE, EXPIRED = "revoked", "idle", "expired"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user: User, now: dt.datetime | None = None, ip: str | None = None) -> str:
    """A new session for a user who just proved who they are; returns the cookie's token."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(id=_digest(token), user_id=user.id, created_at=now, last_seen_at=now,
                             ip=(ip or "")[:64] or None))
    session.flush()
    return token


def check(session: Session, token: object, user_id: int, now: dt.datetime, idle_minutes: int,
          max_hours: int) -> str | None:
    """None when the token is a live session of that user (its last_seen_at refreshed), else
    REVOKED, IDLE or EXPIRED (an idle or expired session is revoked on the way)."""
    row = session.get(LoginSession, _digest(token)) if isinstance(token, str) and token else None
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        return REVOKED
    if now - row.created_at > dt.timedelta(hours=max_hours):
        row.revoked_at, row.revoked_reason = now, EXPIRED
        return EXPIRED
    if now - row.last_seen_at > dt.timedelta(minutes=idle_minutes):
        row.revoked_at, row.revoked_reason = now, IDLE
        return IDLE
    if (now - row.last_seen_at).total_seconds() >= SEEN_REFRESH_SECONDS:
        row.last_seen_at = now
    return None


def end(session: Session, token: object, reason: str = "logout") -> None:
    """Revoke one session (logout)."""
    if isinstance(token, str) and token:
        session.execute(update(LoginSession)
                        .where(LoginSession.id == _digest(token), LoginSession.revoked_at.is_(None))
                        .values(revoked_at=utcnow(), revoked_reason=reason))


def end_all(session: Session, user: User, reason: str) -> None:
    """Revoke every session of a user (password change or reset, deactivation)."""
    session.execute(update(LoginSession)
                    .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
                    .values(revoked_at=utcnow(), revoked_reason=reason)
                    .execution_options(synchronize_session=False))
