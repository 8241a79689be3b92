"""Organisation tree, assessment categories (考核类别) and groups (党建片组)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scorecard.models.base import Base


class Category(Base):
    __tablename__ = "category"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class OrgGroup(Base):
    __tablename__ = "org_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class Organisation(Base):
    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str | None] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("org_group.id"))
    # Materialised path of ids ("/1/5/17/") so subtree scope is one indexed LIKE.
    path: Mapped[str] = mapped_column(String(500), index=True, default="/")
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Organisation]] = relationship(back_populates="parent", order_by="Organisation.code")
    category: Mapped[Category | None] = relationship()
    group: Mapped[OrgGroup | None] = relationship()

    def refresh_path(self) -> None:
        """Set path from the parent's (needs self.id, so call after a flush)."""
        self.path = (self.parent.path if self.parent else "/") + f"{self.id}/"

    def is_within(self, other: Organisation) -> bool:
        """True when self is other or lies in other's subtree."""
        return self.path.startswith(other.path)
