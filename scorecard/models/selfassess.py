"""Self-assessment (自评): per round target a header, per applicable leaf an item with the
unit's self-score, narrative (工作情况说明) and review state, and every version of each item.

Item states: draft 草稿 → submitted 已提交 → returned 退回修改 → (resubmitted) → confirmed 已确认.
A target's state is derived from its items (services/selfassess/fill.py keeps `status` current).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.models.accounts import User
from scorecard.models.base import Base, utcnow
from scorecard.models.rounds import RoundTarget
from scorecard.models.schemes import Indicator

ITEM_STATUS = {"draft": "草稿", "submitted": "已提交", "returned": "退回修改", "confirmed": "已确认"}
TARGET_STATUS = {"not_started": "未填报", "draft": "填报中", "submitted": "已提交",
                 "returned": "退回修改", "confirmed": "已确认"}


class SelfAssessment(Base):
    __tablename__ = "self_assessment"
    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("round_target.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    submitted_at: Mapped[dt.datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reopened: Mapped[bool] = mapped_column(default=False)
    reopen_until: Mapped[dt.datetime | None]
    reopen_reason: Mapped[str | None] = mapped_column(Text)
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reopened_at: Mapped[dt.datetime | None]

    target: Mapped[RoundTarget] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reopened_by: Mapped[User | None] = relationship(foreign_keys=[reopened_by_id])

    @property
    def status_label(self) -> str:
        return TARGET_STATUS.get(self.status, self.status)


class SelfItem(Base):
    __tablename__ = "self_item"
    __table_args__ = (UniqueConstraint("target_id", "indicator_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("round_target.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    input: Mapped[dict | None]
    points: Mapped[Decimal | None]
    narrative: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    return_reason: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    target: Mapped[RoundTarget] = relationship()
    indicator: Mapped[Indicator] = relationship()
    updated_by: Mapped[User] = relationship(foreign_keys=[updated_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    versions: Mapped[list[SelfItemVersion]] = relationship(
        back_populates="item", order_by="SelfItemVersion.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return ITEM_STATUS.get(self.status, self.status)


class SelfItemVersion(Base):
    """One entry of an item's history: who did what, when, and the item as it then was."""

    __tablename__ = "self_item_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("self_item.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20))
    input: Mapped[dict | None]
    points: Mapped[Decimal | None]
    narrative: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list] = mapped_column(default=list)
    reason: Mapped[str | None] = mapped_column(Text)

    item: Mapped[SelfItem] = relationship(back_populates="versions")
    by: Mapped[User] = relationship()
