"""Evidence library (佐证材料): a file uploaded once into an organisation's library and cited
by any number of records (self-assessment items, appeals, nominations, tasks …).

`EvidenceCitation` is deliberately generic: `subject` names the kind of record that cites the
file ("self_item", "appeal", "nomination", …) and `subject_id` its id, so other areas can cite
without a schema change here. An assessor may mark one citation not relevant (C19).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.models.accounts import User
from scorecard.models.base import Base, utcnow
from scorecard.models.orgs import Organisation

DOC_TYPES = ["会议记录", "文件通知", "工作总结", "活动照片", "统计报表", "其他"]


class Evidence(Base):
    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("org_id", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    doc_type: Mapped[str] = mapped_column(String(20), default="其他")
    original_name: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(100))
    ext: Mapped[str] = mapped_column(String(10))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    org: Mapped[Organisation] = relationship()
    uploaded_by: Mapped[User] = relationship()
    citations: Mapped[list[EvidenceCitation]] = relationship(
        back_populates="evidence", order_by="EvidenceCitation.id")

    @property
    def previewable(self) -> bool:
        return self.mime in ("application/pdf", "image/png", "image/jpeg", "image/gif")

    @property
    def size_label(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{self.size / 1024 / 1024:.1f} MB"
        return f"{max(1, round(self.size / 1024))} KB"


class EvidenceCitation(Base):
    __tablename__ = "evidence_citation"
    __table_args__ = (
        UniqueConstraint("evidence_id", "subject", "subject_id"),
        Index("ix_evidence_citation_subject", "subject", "subject_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    subject: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int]
    cited_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    cited_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    rejected: Mapped[bool] = mapped_column(default=False)
    rejected_reason: Mapped[str | None] = mapped_column(Text)
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    rejected_at: Mapped[dt.datetime | None]

    evidence: Mapped[Evidence] = relationship(back_populates="citations")
    cited_by: Mapped[User] = relationship(foreign_keys=[cited_by_id])
    rejected_by: Mapped[User | None] = relationship(foreign_keys=[rejected_by_id])
