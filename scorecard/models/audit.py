"""Append-only audit trail: who changed what, when, old → new, and why.

Nobody can edit history: the ORM refuses to update or delete an AuditEntry (flush-time
listeners) and refuses bulk UPDATE/DELETE statements aimed at the table (do_orm_execute); the
database refuses raw SQL UPDATE/DELETE too (triggers, migration 0009_audit_guard).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from scorecard.models.accounts import User
from scorecard.models.base import Base, utcnow


class AuditImmutable(RuntimeError):
    """Raised on any attempt to change or remove an audit row."""

    def __init__(self, what: str = "修改") -> None:
        super().__init__(f"审计记录不可{what}")


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50), index=True)
    entity_id: Mapped[int | None]
    # The round the change belongs to (scores, adjustments, veto, overrides, phases); no foreign
    # key on purpose: history outlives what it describes.
    round_id: Mapped[int | None] = mapped_column(index=True)
    old: Mapped[dict | None]
    new: Mapped[dict | None]
    reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User | None] = relationship()


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(_mapper, _connection, _target) -> None:
    raise AuditImmutable("修改")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(_mapper, _connection, _target) -> None:
    raise AuditImmutable("删除")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state) -> None:
    if not (state.is_update or state.is_delete):
        return
    if any(m.class_ is AuditEntry for m in state.all_mappers):
        raise AuditImmutable("删除" if state.is_delete else "修改")
