"""Organisation tree: editing and browsing. The import (upsert by code) lives in
services/orgs/importing.py and is re-exported here.

A web actor must be an administrator, may only change organisations inside their scope, and
may only place organisations under parents inside their scope.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scorecard.models import Category, Organisation, OrgGroup, User
from scorecard.services import audit, permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.orgs.changes import MAX_KIND, describe_changes, diff, update_values  # noqa: F401 (describe_changes re-exported)
from scorecard.services.orgs.importing import IMPORT_REASON, ImportSummary, apply_org_import  # noqa: F401 (re-exported)

MAX_NAME = 100
MAX_LABEL = 50  # Category.name / OrgGroup.name are String(50)


@dataclass
class TreeNode:
    org: Organisation
    children: list[TreeNode] = field(default_factory=list)

    def walk(self) -> Iterator[TreeNode]:
        yield self
        for child in self.children:
            yield from child.walk()


class _Lookup:
    """Categories / groups by name, created on demand."""

    def __init__(self, session: Session, model) -> None:
        self.session, self.model = session, model
        self.by_name = {x.name: x for x in session.scalars(select(model))}
        self.created: list[str] = []

    def get(self, name: str | None):
        if not name:
            return None
        item = self.by_name.get(name)
        if item is None:
            item = self.model(name=name)
            self.session.add(item)
            self.by_name[name] = item
            self.created.append(name)
        return item


# ---------------------------------------------------------------------------- editing

def update_org(session: Session, actor: User, org: Organisation, name: str | None,
               parent_code: str | None, category: str | None, group: str | None,
               kind: str | None, active: bool) -> dict:
    """Edit one organisation; blank category/group/kind clear the value. Returns the changes."""
    if not permissions.can_edit_org(actor, org):
        raise PermissionDenied("您没有权限修改该组织")
    name = _text(name, "名称", "name", MAX_NAME, required=True)
    category = _text(category, "类别", "category", MAX_LABEL)
    group = _text(group, "片组", "group", MAX_LABEL)
    kind = _text(kind, "组织类型", "kind", MAX_KIND)
    parent = _new_parent(session, actor, org, parent_code)
    old = _snapshot(org)
    org.name, org.kind, org.active = name, kind, bool(active)
    org.category = _Lookup(session, Category).get(category)
    org.group = _Lookup(session, OrgGroup).get(group)
    if parent is not org.parent:
        old_path = org.path
        subtree = session.scalars(select(Organisation).where(
            Organisation.path.startswith(old_path), Organisation.id != org.id)).all()
        _move(org, parent, subtree)
    session.flush()
    changes = diff(old, _snapshot(org))
    if changes:
        _audit_update(session, actor, org, changes)
    return changes


def _text(value: str | None, label: str, field_name: str, limit: int, required: bool = False) -> str | None:
    text = " ".join((value or "").split())
    if required and not text:
        raise ServiceError(f"{label}不能为空", field_name)
    if len(text) > limit:
        raise ServiceError(f"{label}不能超过{limit}个字符（当前{len(text)}个）", field_name)
    return text or None


def _new_parent(session: Session, actor: User, org: Organisation, parent_code: str | None):
    code = (parent_code or "").strip()
    current = org.parent
    if (current.code if current else "") == code:
        return current
    if not code:
        raise ServiceError("上级编码不能为空：组织必须位于您管理范围内的某个上级组织之下", "parent_code")
    parent = session.scalar(select(Organisation).where(Organisation.code == code))
    if parent is None:
        raise ServiceError(f"上级编码“{code}”不存在", "parent_code")
    if not permissions.in_scope(actor, parent):
        raise ServiceError(f"上级编码“{code}”不在您的管理范围内", "parent_code")
    if parent.is_within(org):
        raise ServiceError(f"上级编码“{code}”是本组织自身或其下级，不能形成循环", "parent_code")
    return parent


def _move(org: Organisation, parent: Organisation | None, candidates: Iterable[Organisation]) -> None:
    """Re-parent org and rewrite the materialised paths of its whole subtree."""
    old_path = org.path
    org.parent = parent
    org.refresh_path()
    if org.path == old_path:
        return
    for other in candidates:
        if other is not org and other.path.startswith(old_path):
            other.path = org.path + other.path[len(old_path):]


def _snapshot(org: Organisation) -> dict:
    return {
        "name": org.name,
        "parent": org.parent.code if org.parent else None,
        "category": org.category.name if org.category else None,
        "group": org.group.name if org.group else None,
        "kind": org.kind,
        "active": org.active,
    }


def _audit_update(session, actor, org, changes: dict, reason: str | None = None) -> None:
    audit.record(session, actor, "update", "organisation", org.id, reason=reason,
                 **update_values(org.code, changes))


# ---------------------------------------------------------------------------- browsing

def org_tree(session: Session, root: Organisation) -> TreeNode:
    """root and its whole subtree, children ordered by code."""
    orgs = session.scalars(
        select(Organisation).where(Organisation.path.startswith(root.path))
        .options(selectinload(Organisation.category), selectinload(Organisation.group))
        .order_by(Organisation.code)
    ).all()
    nodes = {o.id: TreeNode(o) for o in orgs}
    for org in orgs:
        if org.id != root.id and org.parent_id in nodes:
            nodes[org.parent_id].children.append(nodes[org.id])
    return nodes.get(root.id) or TreeNode(root)


def tree_counts(tree: TreeNode) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Organisations per category and per group in a subtree (unset ones counted last)."""
    cats = Counter(n.org.category.name if n.org.category else None for n in tree.walk())
    grps = Counter(n.org.group.name if n.org.group else None for n in tree.walk())

    def ordered(counter: Counter, unset: str) -> list[tuple[str, int]]:
        named = sorted((k, v) for k, v in counter.items() if k is not None)
        return named + ([(unset, counter[None])] if counter[None] else [])

    return ordered(cats, "（未设类别）"), ordered(grps, "（未设片组）")


def ancestors(org: Organisation, within: Organisation) -> list[Organisation]:
    """Ancestors of org from `within` (inclusive) down to its parent, for breadcrumbs."""
    if org.id == within.id or not org.is_within(within):
        return []
    chain = []
    current = org.parent
    while current is not None:
        chain.append(current)
        if current.id == within.id:
            break
        current = current.parent
    return list(reversed(chain))


def categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.name)))


def groups(session: Session) -> list[OrgGroup]:
    return list(session.scalars(select(OrgGroup).order_by(OrgGroup.name)))
