"""Rounds (考核轮次): targets, assessors' scores, adjustments and the frozen snapshot."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.domain.phases import PHASE_ORDER, PHASES, RESULT_PHASES, SCORING_PHASES, phase_label  # noqa: F401
from scorecard.models.accounts import User
from scorecard.models.base import Base, utcnow
from scorecard.models.orgs import Category, Organisation
from scorecard.models.schemes import Indicator, Scheme, SchemeItem


class Round(Base):
    __tablename__ = "assessment_round"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"))
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    phase: Mapped[str] = mapped_column(String(20), default="self")
    trimmed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_at: Mapped[dt.datetime | None]
    finalized_at: Mapped[dt.datetime | None]
    self_deadline: Mapped[dt.date | None]  # 自评截止 (inclusive, local date)
    review_deadline: Mapped[dt.date | None]  # 审核截止
    publicity_start: Mapped[dt.date | None]  # 公示期 (appeals accepted from start to end, inclusive)
    publicity_end: Mapped[dt.date | None]
    # An audited early close of 公示 (定档 before publicity_end): the day and the reason given.
    publicity_closed_on: Mapped[dt.date | None]
    publicity_close_reason: Mapped[str | None] = mapped_column(Text)
    # the frozen report (定档): megabytes for a large round, loaded only when asked for
    snapshot: Mapped[dict | None] = mapped_column(deferred=True)

    scheme: Mapped[Scheme] = relationship()
    owner_org: Mapped[Organisation] = relationship()
    targets: Mapped[list[RoundTarget]] = relationship(
        back_populates="round", order_by="RoundTarget.id", cascade="all, delete-orphan"
    )

    @property
    def phase_label(self) -> str:
        return phase_label(self.phase)

    @property
    def is_final(self) -> bool:
        return self.phase == "final"

    @property
    def scoring_open(self) -> bool:
        """Scores, self-assessments, 实地核验 and votes may still change (自评填报 / 审核评分)."""
        return self.phase in SCORING_PHASES

    @property
    def results_published(self) -> bool:
        """Results are shown to the assessed units (公示 / 已定档)."""
        return self.phase in RESULT_PHASES


class RoundTarget(Base):
    __tablename__ = "round_target"
    __table_args__ = (UniqueConstraint("round_id", "org_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_round.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    veto: Mapped[bool] = mapped_column(default=False)
    veto_reason: Mapped[str | None] = mapped_column(Text)
    tier_override: Mapped[str | None] = mapped_column(String(20))
    override_reason: Mapped[str | None] = mapped_column(Text)

    round: Mapped[Round] = relationship(back_populates="targets")
    org: Mapped[Organisation] = relationship()
    category: Mapped[Category] = relationship()
    scores: Mapped[list[Score]] = relationship(back_populates="target", cascade="all, delete-orphan")
    adjustments: Mapped[list[Adjustment]] = relationship(cascade="all, delete-orphan", order_by="Adjustment.id")


class Score(Base):
    """One assessor's score of one leaf for one target; `version` guards against stale saves."""

    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("target_id", "indicator_id", "assessor_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("round_target.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    assessor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    input: Mapped[dict] = mapped_column(default=dict)
    points: Mapped[Decimal]
    comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    target: Mapped[RoundTarget] = relationship(back_populates="scores")
    indicator: Mapped[Indicator] = relationship()
    assessor: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Adjustment(Base):
    """A bonus (加分) or penalty (减分) item applied to a target, with its reason."""

    __tablename__ = "adjustment"
    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("round_target.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("scheme_item.id"))
    points: Mapped[Decimal]
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    item: Mapped[SchemeItem] = relationship()
    created_by: Mapped[User] = relationship()
