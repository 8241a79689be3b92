"""Organisation import: upsert parsed rows by code, in bulk.

`actor=None` means the command line (no data-scope restriction); a web actor must be an
administrator, may only change organisations inside their scope and only place organisations
under parents inside their scope.

Everything is checked before anything is written. The organisation table is then read once as
plain rows and written with a few set-based statements instead of one ORM object per row:
  1. new categories / groups: one ORM flush;
  2. new organisations: one INSERT … RETURNING id (executemany "insertmanyvalues"), in file order
     (parents first), so ids come out as one ORM flush gave them; parents that are new
     themselves are filled in by step 3;
  3. final parents → every materialised path recomputed top-down in Python (O(n)); new and
     changed organisations written with one executemany UPDATE by id, organisations whose
     path alone changes (the subtree of a moved one) with another;
  4. the audit rows: one INSERT (audit.record_many).
Organisation objects the session already holds and that were touched are expired, so they
read the new values.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import String, bindparam, cast, insert, inspect, select, update
from sqlalchemy.orm import Session

from scorecard.domain.tree import find_cycles
from scorecard.importers.common import ImportFailed, ImportIssue, gc_paused
from scorecard.importers.orgs import OrgRow, parse_orgs
from scorecard.models import Category, Organisation, OrgGroup, User
from scorecard.services import audit, permissions
from scorecard.services.errors import PermissionDenied
from scorecard.services.orgs.changes import MAX_KIND, describe_changes, diff, update_values

IMPORT_REASON = "组织导入"
NEW_PATH = "/"  # placeholder path of a just-inserted organisation (a real path always holds an id)
_ORG = Organisation.__table__
_COLUMNS = ("id", "code", "name", "kind", "parent_id", "category_id", "group_id", "path", "active")
_UPDATE_ALL = (update(_ORG).where(_ORG.c.id == bindparam("oid"))
               .values(name=bindparam("name"), kind=bindparam("kind"), parent_id=bindparam("parent_id"),
                       category_id=bindparam("category_id"), group_id=bindparam("group_id"),
                       path=bindparam("path")))
_UPDATE_PATH = update(_ORG).where(_ORG.c.id == bindparam("oid")).values(path=bindparam("path"))
_UPDATE_PARENT_PATH = (update(_ORG).where(_ORG.c.id == bindparam("oid"))
                       .values(parent_id=bindparam("parent_id"), path=bindparam("path")))
# the new children of one parent at once: they still have the placeholder path "/"
_UPDATE_NEW_CHILDREN = (update(_ORG).where(_ORG.c.parent_id == bindparam("pid"), _ORG.c.path == NEW_PATH)
                        .values(path=bindparam("prefix", type_=String) + cast(_ORG.c.id, String) + "/"))


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    details: list[str] = field(default_factory=list)

    def text(self, dry_run: bool = False) -> str:
        counts = f"新建{self.created}个组织，更新{self.updated}个，{self.unchanged}个无变化"
        return f"试运行（未写入数据库），导入后将：{counts}" if dry_run else f"组织导入完成：{counts}"


@dataclass(slots=True)
class _Org:
    """One organisation as plain values (permissions.in_scope only needs is_within)."""

    id: int
    code: str
    name: str
    kind: str | None
    parent_id: int | None
    category_id: int | None
    group_id: int | None
    path: str
    active: bool

    def is_within(self, other) -> bool:
        return self.path.startswith(other.path)


def apply_org_import(session: Session, actor: User | None, rows: list[OrgRow]) -> ImportSummary:
    """Upsert parsed rows (parents first) by code. Validates everything before writing;
    raises ImportFailed with every problem (row-located). Blank optional cells of an
    existing organisation (上级编码/类别/片组/组织类型) keep the current value."""
    if actor is not None and not permissions.can_manage_orgs(actor):
        raise PermissionDenied("只有系统管理员可以导入组织")
    with gc_paused():
        return _apply(session, actor, rows)


def _apply(session: Session, actor: User | None, rows: list[OrgRow]) -> ImportSummary:
    orgs = [_Org(*r) for r in session.execute(select(*(_ORG.c[c] for c in _COLUMNS)))]
    by_id = {o.id: o for o in orgs}
    by_code = {o.code: o for o in orgs}
    parent_of = {o.code: by_id[o.parent_id].code if o.parent_id in by_id else None for o in orgs}
    _check_import(actor, rows, by_code, parent_of)

    cats = _Names(session, Category, (r.category for r in rows))
    groups = _Names(session, OrgGroup, (r.group for r in rows))
    new_rows = [r for r in rows if r.code not in by_code]
    new, late = _insert_new(session, new_rows, by_code, cats, groups)
    by_id.update((o.id, o) for o in new.values())

    summary, entries, changed, old_parents = ImportSummary(), [], {}, set()
    code_of = {o.id: o.code for o in by_id.values()}
    for row in rows:
        org = by_code[row.code]
        if org.id in new:
            entries.append({"action": "create", "entity": "organisation", "entity_id": org.id,
                            "new": {"code": org.code, **_snapshot(org, code_of, cats, groups)},
                            "reason": IMPORT_REASON})
            summary.created += 1
            summary.details.append(f"第{row.row}行：新建组织“{row.code} {row.name}”")
            continue
        old, old_parent = _snapshot(org, code_of, cats, groups), org.parent_id
        _apply_row(org, row, old, by_code, cats, groups)
        if org.parent_id != old_parent:
            old_parents.add(old_parent)
        changes = diff(old, _snapshot(org, code_of, cats, groups))
        if changes:
            entries.append({"action": "update", "entity": "organisation", "entity_id": org.id,
                            **update_values(org.code, changes), "reason": IMPORT_REASON})
            summary.updated += 1
            summary.details.append(f"第{row.row}行：更新组织“{row.code}”：{describe_changes(changes)}")
            changed[org.id] = org
        else:
            summary.unchanged += 1

    moved = _recompute_paths(by_id.values())
    _write(session, by_id, new, late, changed, [o for o in moved if o.id not in changed and o.id not in new])
    audit.record_many(session, actor, entries)
    touched = set(changed) | {o.id for o in moved}
    _expire_held(session, touched | old_parents | {by_id[i].parent_id for i in touched})
    summary.details += [f"新建类别“{n}”" for n in cats.created]
    summary.details += [f"新建片组“{n}”" for n in groups.created]
    return summary


# ---------------------------------------------------------------------------- checks

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
    """Loops formed by the file together with existing data (each reported once, at the first
    row of the loop that names a parent: a blank parent keeps the existing one)."""
    final = dict(parent_of)
    for row in rows:
        if row.parent_code or row.code not in final:
            final[row.code] = row.parent_code
    named = {r.code: r for r in rows if r.parent_code}
    # rows naming a parent come first (file order), so a loop starts at the first of them
    final = {**{code: final[code] for code in named}, **final}
    issues = []
    for loop in find_cycles(final):
        row = named[loop[0]]
        issues.append(ImportIssue(
            f"上级编码“{row.parent_code}”会形成循环（{' → '.join(loop + loop[:1])}）：组织不能位于其自身或其下级之下",
            row=row.row))
    return issues


# ---------------------------------------------------------------------------- writing

class _Names:
    """Category / group ids by name; the names of the file that do not exist yet are created
    (in file order) with one flush."""

    def __init__(self, session: Session, model, names) -> None:
        self.id_of = dict(session.execute(select(model.name, model.id)).all())
        self.created = [n for n in dict.fromkeys(n for n in names if n) if n not in self.id_of]
        if self.created:
            items = [model(name=n) for n in self.created]
            session.add_all(items)
            session.flush()
            self.id_of.update((x.name, x.id) for x in items)
        self.name_of = {i: n for n, i in self.id_of.items()}


def _insert_new(session: Session, rows: list[OrgRow], by_code, cats: _Names,
                groups: _Names) -> tuple[dict[int, _Org], set[int]]:
    """One INSERT of every new organisation, in file order (so ids follow it, parents first),
    with the placeholder path. Returns them by id, and the ids of those whose parent is new
    itself: their parent_id is only known now and is written with their path."""
    if not rows:
        return {}, set()
    params = []
    for r in rows:
        parent = by_code.get(r.parent_code) if r.parent_code else None
        params.append({"code": r.code, "name": r.name, "kind": r.kind,
                       "parent_id": parent.id if parent is not None else None,
                       "category_id": cats.id_of.get(r.category) if r.category else None,
                       "group_id": groups.id_of.get(r.group) if r.group else None,
                       "path": NEW_PATH, "active": True})
    if session.get_bind().dialect.insert_executemany_returning:
        id_of = dict(session.execute(insert(_ORG).returning(_ORG.c.code, _ORG.c.id), params).all())
    else:  # e.g. SQLite before 3.35: no RETURNING, one statement per row
        id_of = {p["code"]: session.execute(insert(_ORG), p).inserted_primary_key[0] for p in params}
    new: dict[int, _Org] = {}
    late: set[int] = set()
    for p, r in zip(params, rows):  # parents first: a new parent is in by_code already
        org = _Org(id_of[r.code], r.code, r.name, r.kind, p["parent_id"], p["category_id"], p["group_id"],
                   NEW_PATH, True)
        if org.parent_id is None and r.parent_code:
            org.parent_id = by_code[r.parent_code].id
            late.add(org.id)
        new[org.id] = by_code[r.code] = org
    return new, late


def _snapshot(org: _Org, code_of, cats: _Names, groups: _Names) -> dict:
    return {
        "name": org.name,
        "parent": code_of.get(org.parent_id),
        "category": cats.name_of.get(org.category_id),
        "group": groups.name_of.get(org.group_id),
        "kind": org.kind,
        "active": org.active,
    }


def _apply_row(org: _Org, row: OrgRow, old: dict, by_code, cats: _Names, groups: _Names) -> None:
    org.name = row.name
    if row.kind:
        org.kind = row.kind
    if row.category:
        org.category_id = cats.id_of[row.category]
    if row.group:
        org.group_id = groups.id_of[row.group]
    if row.parent_code and old["parent"] != row.parent_code:
        org.parent_id = by_code[row.parent_code].id


def _recompute_paths(orgs) -> list[_Org]:
    """Every materialised path top-down from the final parents; returns the organisations whose
    path changed (new ones included: their path was the placeholder)."""
    kids: dict[int | None, list[_Org]] = {}
    for org in orgs:
        kids.setdefault(org.parent_id, []).append(org)
    changed = []
    stack = [(org, "/") for org in kids.get(None, ())]
    while stack:
        org, prefix = stack.pop()
        path = f"{prefix}{org.id}/"
        if org.path != path:
            org.path = path
            changed.append(org)
        stack.extend((child, path) for child in kids.get(org.id, ()))
    return changed


def _write(session: Session, by_id, new: dict[int, _Org], late: set[int], changed: dict[int, _Org],
           path_only: list[_Org]) -> None:
    """The final values of every organisation the import touches: executemany UPDATEs by id,
    except new organisations inserted under an existing parent, which get their paths with
    one statement per parent."""
    if changed:
        session.execute(_UPDATE_ALL, [
            {"oid": o.id, "name": o.name, "kind": o.kind, "parent_id": o.parent_id, "category_id": o.category_id,
             "group_id": o.group_id, "path": o.path} for o in changed.values()])
    one_by_one = [o for o in new.values() if o.id in late or o.parent_id is None]
    if one_by_one:
        session.execute(_UPDATE_PARENT_PATH, [{"oid": o.id, "parent_id": o.parent_id, "path": o.path}
                                              for o in one_by_one])
    parents = {o.parent_id for o in new.values() if o.id not in late and o.parent_id is not None}
    if parents:
        session.execute(_UPDATE_NEW_CHILDREN, [{"pid": p, "prefix": by_id[p].path} for p in parents])
    if path_only:
        session.execute(_UPDATE_PATH, [{"oid": o.id, "path": o.path} for o in path_only])


def _expire_held(session: Session, ids: set[int | None]) -> None:
    """Organisation objects the session already holds re-read what the statements wrote: the
    written ones and (for their children collections) their parents, old and new."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Organisation) and inspect(obj).identity[0] in ids:
            session.expire(obj)


def import_org_file(session: Session, actor: User | None, source) -> ImportSummary:
    """Parse an organisation sheet (a path or a stream; codes already in the database may be
    parents) and apply it."""
    rows = parse_orgs(source, session.scalars(select(Organisation.code)).all())
    return apply_org_import(session, actor, rows)
