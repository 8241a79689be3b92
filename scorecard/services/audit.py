"""Audit rows are written by services in the same unit of work as the change itself."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from ..models import AuditEntry, User


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def record(
    session: Session,
    actor: User | None,
    action: str,
    entity: str,
    entity_id: int | None,
    old: dict | None = None,
    new: dict | None = None,
    reason: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        user_id=actor.id if actor else None,
        action=action,
        entity=entity,
        entity_id=entity_id,
        old=_plain(old),
        new=_plain(new),
        reason=reason,
    )
    session.add(entry)
    return entry
