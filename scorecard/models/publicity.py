"""Year-end inputs beside the assessors' scores, and 公示:

- 实地核验 (VerificationVisit / VerificationItem): a visit to a target samples leaves; a
  verified score replaces the leaf's computed score (the original stays recorded beside it).
- 述职评议 (PanelVote): one rater's vote on a `vote` leaf of a target; the leaf's score is
  the `vote` rule applied to the vote counts.
- 绩优推报 (Nomination): a unit claims bonus points against a 加分项; an approval creates
  an Adjustment.
- 申诉 / 复核 (Appeal): during the publicity window a unit appeals one leaf; the answer
  upholds it or changes the leaf's score (before → after).

How these enter the leaf score is documented in services/scoring/leaf_sources.py.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.models.accounts import User
from scorecard.models.base import Base, utcnow
from scorecard.models.rounds import Adjustment, RoundTarget
from scorecard.models.schemes import Indicator, SchemeItem

NOMINATION_STATUS = {"pending": "待审核", "approved": "已通过", "rejected": "未通过"}
APPEAL_STATUS = {"open": "待复核", "upheld": "维持原分", "changed": "已改分"}


class VerificationVisit(Base):
    __tablename__ = "verification_visit"
    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("round_target.id", ondelete="CASCADE"), index=True)
    visit_date: Mapped[dt.date]
    team: Mapped[str] = mapped_column(Text)
    findings: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    target: Mapped[RoundTarget] = relationship()
    created_by: Mapped[User] = relationship()
    items: Mapped[list[VerificationItem]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VerificationItem.id")


class VerificationItem(Base):
    """One sampled leaf: the score before the visit, and the verified score (None: confirmed)."""

    __tablename__ = "verification_item"
    __table_args__ = (UniqueConstraint("visit_id", "indicator_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("verification_visit.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    original_points: Mapped[Decimal | None]
    verified_points: Mapped[Decimal | None]
    reason: Mapped[str] = mapped_column(Text, default="")

    visit: Mapped[VerificationVisit] = relationship(back_populates="items")
    indicator: Mapped[Indicator] = relationship()


class PanelVote(Base):
    __tablename__ = "panel_vote"
    __table_args__ = (UniqueConstraint("target_id", "indicator_id", "rater"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("round_target.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    rater: Mapped[str] = mapped_column(String(50))
    choice: Mapped[str] = mapped_column(String(50))
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    indicator: Mapped[Indicator] = relationship()


class Nomination(Base):
    __tablename__ = "nomination"
    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("round_target.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("scheme_item.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    claimed_points: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    approved_points: Mapped[Decimal | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    adjustment_id: Mapped[int | None] = mapped_column(ForeignKey("adjustment.id", ondelete="SET NULL"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[dt.datetime | None]

    target: Mapped[RoundTarget] = relationship()
    item: Mapped[SchemeItem] = relationship()
    adjustment: Mapped[Adjustment | None] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def status_label(self) -> str:
        return NOMINATION_STATUS.get(self.status, self.status)


class Appeal(Base):
    __tablename__ = "appeal"
    __table_args__ = (UniqueConstraint("target_id", "indicator_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("round_target.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    before_points: Mapped[Decimal | None]
    after_points: Mapped[Decimal | None]
    answer: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[dt.datetime | None]

    target: Mapped[RoundTarget] = relationship()
    indicator: Mapped[Indicator] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def status_label(self) -> str:
        return APPEAL_STATUS.get(self.status, self.status)

    @property
    def is_open(self) -> bool:
        return self.status == "open"
