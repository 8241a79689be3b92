"""Organisation tree: import (upsert by code), editing, browsing; account activation.

`actor=None` means the command line (an operator with shell access to the database): no
data-scope restriction. A web actor must be an administrator, may only change organisations
inside their scope, and may only place organisations under parents inside their scope.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..importers.common import ImportFailed, ImportIssue
from ..importers.orgs import OrgRow
from ..models import Category, OrgGroup, Organisation, User
from . import audit, permissions
from .errors import PermissionDenied, ServiceError

MAX_NAME = 100
MAX_KIND = 20  # Organisation.kind is String(20)
MAX_LABEL = 50  # Category.name / OrgGroup.name are String(50)
FIELD_LABELS = {"name": "名称", "parent": "上级编码", "category": "类别", "group": "片组",
                "kind": "组织类型", "active": "状态"}
IMPORT_REASON = "组织导入"


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    details: list[str] = field(default_factory=list)

    def text(self, dry_run: bool = False) -> str:
        counts = f"新建{self.created}个组织，更新{self.updated}个，{self.unchanged}个无变化"
        return f"试运行（未写入数据库），导入后将：{counts}" if dry_run else f"组织导入完成：{counts}"


@dataclass
class TreeNode:
    org: Organisation
    children: list[TreeNode] = field(default_factory=list)

    def walk(self) -> Iterator[TreeNode]:
        yield self
        for child in self.children:
            yield from child.walk()


# ---------------------------------------------------------------------------- import

def apply_org_import(session: Session, actor: User | None, rows: list[OrgRow]) -> ImportSummary:
    """Upsert parsed rows (parents first) by code. Validates everything before writing;
    raises ImportFailed with every problem (row-located). Blank optional cells of an
    existing organisation (上级编码/类别/片组/组织类型) keep the current value."""
    if actor is not None and not permissions.can_manage_orgs(actor):
        raise PermissionDenied("只有系统管理员可以导入组织")
    orgs = list(session.scalars(select(Organisation)))
    by_code = {o.code: o for o in orgs}
    code_of = {o.id: o.code for o in orgs}
    parent_of = {o.code: code_of.get(o.parent_id) for o in orgs}
    _check_import(actor, rows, by_code, parent_of)

    cats, groups = _Lookup(session, Category), _Lookup(session, OrgGroup)
    staged = [_stage_row(session, row, by_code, orgs, cats, groups) for row in rows]
    session.flush()  # one flush: every new organisation gets its id
    _rewrite_paths(orgs)
    summary = _record_import(session, actor, staged)
    session.flush()
    summary.details += [f"新建类别“{n}”" for n in cats.created]
    summary.details += [f"新建片组“{n}”" for n in groups.created]
    return summary


def _check_import(actor, rows, by_code, parent_of) -> None:
    in_file = {r.code for r in rows}
    issues: list[ImportIssue] = []
    for row in rows:
        issues += _row_issues(actor, row, by_code, parent_of, in_file)
    issues += _cycle_issues(rows, parent_of)
    if issues:
        raise ImportFailed(sorted(issues, key=lambda i: i.row or 0))


def _row_issues(actor, row: OrgRow, by_code, parent_of, in_file) -> list[ImportIssue]:
    issues = []

    def add(message: str) -> None:
        issues.append(ImportIssue(message, row=row.row))

    if row.kind and len(row.kind) > MAX_KIND:
        add(f"组织类型“{row.kind}”超过{MAX_KIND}个字符（当前{len(row.kind)}个）")
    org = by_code.get(row.code)
    if org is not None and actor is not None and not permissions.in_scope(actor, org):
        add(f"组织“{row.code}”不在您的管理范围内，不能修改")
    parent_code = row.parent_code
    if parent_code is None:
        if org is None and actor is not None:
            add(f"新组织“{row.code}”必须填写上级编码（上级须在您的管理范围内）")
        return issues
    parent = by_code.get(parent_code)
    if parent is None and parent_code not in in_file:
        add(f"上级编码“{parent_code}”不存在")
    elif (parent is not None and actor is not None and parent_of.get(row.code) != parent_code
          and not permissions.in_scope(actor, parent)):
        add(f"上级编码“{parent_code}”不在您的管理范围内")
    return issues


def _cycle_issues(rows: list[OrgRow], parent_of: dict[str, str | None]) -> list[ImportIssue]:
    """Cycles formed by the file together with existing data (each reported once)."""
    final = dict(parent_of)
    for row in rows:
        if row.parent_code or row.code not in final:
            final[row.code] = row.parent_code
    seen: set[frozenset[str]] = set()
    issues = []
    for row in rows:
        if not row.parent_code:
            continue
        chain, current = [row.code], final.get(row.code)
        while current is not None and current not in chain:
            chain.append(current)
            current = final.get(current)
        if current != row.code or frozenset(chain) in seen:
            continue
        seen.add(frozenset(chain))
        loop = " → ".join(chain + [row.code])
        issues.append(ImportIssue(
            f"上级编码“{row.parent_code}”会形成循环（{loop}）：组织不能位于其自身或其下级之下",
            row=row.row))
    return issues


def _stage_row(session, row: OrgRow, by_code, orgs, cats, groups) -> tuple[OrgRow, Organisation, dict | None]:
    """Create (unflushed) or update one organisation; paths are rewritten afterwards.
    Returns (row, org, snapshot before the change or None when new)."""
    org = by_code.get(row.code)
    if org is None:
        org = Organisation(code=row.code, name=row.name, kind=row.kind,
                           parent=by_code[row.parent_code] if row.parent_code else None,
                           category=cats.get(row.category), group=groups.get(row.group))
        session.add(org)
        orgs.append(org)
        by_code[row.code] = org
        return row, org, None
    old = _snapshot(org)
    org.name = row.name
    if row.kind:
        org.kind = row.kind
    if row.category:
        org.category = cats.get(row.category)
    if row.group:
        org.group = groups.get(row.group)
    if row.parent_code and old["parent"] != row.parent_code:
        org.parent = by_code[row.parent_code]
    return row, org, old


def _record_import(session, actor, staged) -> ImportSummary:
    """Audit rows and the summary, once ids and paths are final."""
    summary = ImportSummary()
    entries: list[dict] = []  # one INSERT for every audit row of the import
    for row, org, old in staged:
        if old is None:
            entries.append({"action": "create", "entity": "organisation", "entity_id": org.id,
                            "new": {"code": org.code, **_snapshot(org)}, "reason": IMPORT_REASON})
            summary.created += 1
            summary.details.append(f"第{row.row}行：新建组织“{row.code} {row.name}”")
            continue
        changes = _diff(old, _snapshot(org))
        if changes:
            entries.append({"action": "update", "entity": "organisation", "entity_id": org.id,
                            **_update_values(org, changes), "reason": IMPORT_REASON})
            summary.updated += 1
            summary.details.append(f"第{row.row}行：更新组织“{row.code}”：{describe_changes(changes)}")
        else:
            summary.unchanged += 1
    audit.record_many(session, actor, entries)
    return summary


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
    changes = _diff(old, _snapshot(org))
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


def _rewrite_paths(orgs: Iterable[Organisation]) -> None:
    """Recompute every materialised path top-down from the (final, flushed) parents; O(n),
    so it does not matter in which order organisations were created or moved."""
    kids: dict[int, list[Organisation]] = defaultdict(list)
    roots = []
    for org in orgs:
        parent = org.parent
        (kids[id(parent)] if parent is not None else roots).append(org)
    stack = [(org, "/") for org in roots]
    while stack:
        org, prefix = stack.pop()
        path = f"{prefix}{org.id}/"
        if org.path != path:
            org.path = path
        stack.extend((child, path) for child in kids.get(id(org), ()))


def _snapshot(org: Organisation) -> dict:
    return {
        "name": org.name,
        "parent": org.parent.code if org.parent else None,
        "category": org.category.name if org.category else None,
        "group": org.group.name if org.group else None,
        "kind": org.kind,
        "active": org.active,
    }


def _diff(old: dict, new: dict) -> dict:
    return {k: (old.get(k), v) for k, v in new.items() if old.get(k) != v}


def _update_values(org, changes: dict) -> dict:
    return {"old": {"code": org.code, **{k: a for k, (a, _b) in changes.items()}},
            "new": {"code": org.code, **{k: b for k, (_a, b) in changes.items()}}}


def _audit_update(session, actor, org, changes: dict, reason: str | None = None) -> None:
    audit.record(session, actor, "update", "organisation", org.id, reason=reason,
                 **_update_values(org, changes))


def _shown(value) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "启用" if value else "停用"
    return str(value)


def describe_changes(changes: dict) -> str:
    """{"name": ("甲", "乙")} → "名称：甲 → 乙"."""
    return "；".join(f"{FIELD_LABELS.get(k, k)}：{_shown(a)} → {_shown(b)}" for k, (a, b) in changes.items())


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


# ---------------------------------------------------------------------------- accounts

def set_user_active(session: Session, actor: User, user: User, active: bool) -> bool:
    """Activate/deactivate an account in the actor's scope. Returns True when changed."""
    if not (permissions.can_manage_users(actor) and permissions.in_scope(actor, user.scope_org)):
        raise PermissionDenied("您没有权限管理该账号")
    if user.id == actor.id and not active:
        raise ServiceError("不能停用自己的账号", "active")
    if user.active == active:
        return False
    user.active = active
    session.flush()
    audit.record(session, actor, "activate" if active else "deactivate", "user", user.id,
                 old={"username": user.username, "active": not active},
                 new={"username": user.username, "active": active})
    return True
