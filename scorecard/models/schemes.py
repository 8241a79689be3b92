"""Schemes (考核方案/细则): versioned indicator trees with rules, items and tiers."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.models.base import Base, utcnow
from scorecard.models.orgs import Category, Organisation

SCHEME_STATUS = {"draft": "草稿", "published": "已发布", "archived": "已归档"}

scheme_category = Table(
    "scheme_category",
    Base.metadata,
    Column("scheme_id", ForeignKey("scheme.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id"), primary_key=True),
)

indicator_category = Table(
    "indicator_category",
    Base.metadata,
    Column("indicator_id", ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id"), primary_key=True),
)


class Scheme(Base):
    __tablename__ = "scheme"
    __table_args__ = (UniqueConstraint("code", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    full_marks: Mapped[Decimal] = mapped_column(default=Decimal("100"))
    bonus_cap: Mapped[Decimal | None]
    convert: Mapped[bool] = mapped_column(default=False)
    veto_cap: Mapped[str | None] = mapped_column(String(20))
    tie_break: Mapped[list] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_at: Mapped[dt.datetime | None]
    # The organisation that owns the scheme: only accounts whose scope contains it manage it.
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)

    owner_org: Mapped[Organisation] = relationship()
    categories: Mapped[list[Category]] = relationship(secondary=scheme_category, order_by=Category.id)
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="scheme", order_by="Indicator.position", cascade="all, delete-orphan"
    )
    items: Mapped[list[SchemeItem]] = relationship(order_by="SchemeItem.position", cascade="all, delete-orphan")
    tiers: Mapped[list[Tier]] = relationship(order_by="Tier.position", cascade="all, delete-orphan")

    @property
    def status_label(self) -> str:
        return SCHEME_STATUS.get(self.status, self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


class Indicator(Base):
    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("scheme_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    max_points: Mapped[Decimal]
    content: Mapped[str] = mapped_column(Text, default="")
    rule_text: Mapped[str] = mapped_column(Text, default="")
    methods: Mapped[list] = mapped_column(default=list)
    evidence_hint: Mapped[str] = mapped_column(Text, default="")
    evidence_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    rule_type: Mapped[str] = mapped_column(String(20), default="direct")
    rule_params: Mapped[dict] = mapped_column(default=dict)

    scheme: Mapped[Scheme] = relationship(back_populates="indicators")
    parent: Mapped[Indicator | None] = relationship(remote_side=[id])
    categories: Mapped[list[Category]] = relationship(secondary=indicator_category, order_by=Category.id)


class SchemeItem(Base):
    """A 加分项 (bonus) or 减分项 (penalty) outside the indicator tree."""

    __tablename__ = "scheme_item"
    __table_args__ = (UniqueConstraint("scheme_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # bonus | penalty
    points: Mapped[Decimal | None]
    cap: Mapped[Decimal | None]

    @property
    def kind_label(self) -> str:
        return "加分" if self.kind == "bonus" else "减分"


class Tier(Base):
    __tablename__ = "tier"
    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(20))
    threshold: Mapped[Decimal]
    quota_pct: Mapped[Decimal | None]
