"""How a change to an organisation is described: the snapshot diff, its audit values and the
Chinese summary line. Shared by the import (org_import.py) and the edit form (orgs.py)."""
from __future__ import annotations

MAX_KIND = 20  # Organisation.kind is String(20)
FIELD_LABELS = {"name": "名称", "parent": "上级编码", "category": "类别", "group": "片组",
                "kind": "组织类型", "active": "状态"}


def diff(old: dict, new: dict) -> dict:
    return {k: (old.get(k), v) for k, v in new.items() if old.get(k) != v}


def update_values(code: str, changes: dict) -> dict:
    """old/new of an audit "update" row: the code plus the changed fields."""
    return {"old": {"code": code, **{k: a for k, (a, _b) in changes.items()}},
            "new": {"code": code, **{k: b for k, (_a, b) in changes.items()}}}


def _shown(value) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "启用" if value else "停用"
    return str(value)


def describe_changes(changes: dict) -> str:
    """{"name": ("甲", "乙")} → "名称：甲 → 乙"."""
    return "；".join(f"{FIELD_LABELS.get(k, k)}：{_shown(a)} → {_shown(b)}" for k, (a, b) in changes.items())
