"""Small helpers shared by the views."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..domain.numbers import fmt
from ..services.errors import PermissionDenied


def require(allowed: bool) -> None:
    """403 unless the named predicate said yes."""
    if not allowed:
        abort(403)


def get_or_404(session, model, ident):
    obj = session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def actor():
    return current_user._get_current_object()


def table_header(cols) -> tuple[list[dict], list[str]]:
    """Two header rows when columns are grouped (一级指标得分, an assessor's name, …): the group
    spans its columns in the upper row, the others span both rows."""
    top: list[dict] = []
    lower: list[str] = []
    grouped = any(c.group for c in cols)
    for c in cols:
        if c.group and top and top[-1]["group"] == c.group:
            top[-1]["colspan"] += 1
        elif c.group:
            top.append({"text": c.group, "group": c.group, "colspan": 1, "rowspan": 1, "kind": "group"})
        else:
            top.append({"text": c.header, "group": None, "colspan": 1, "rowspan": 2 if grouped else 1,
                        "kind": c.kind})
        if c.group:
            lower.append(c.header)
    return top, lower


def cell_text(col, row) -> str:
    """A column's value as shown in an HTML table (numbers with two decimals)."""
    value = col.value(row)
    if value is None:
        return ""
    return fmt(value) if col.kind == "num" else str(value)


__all__ = ["require", "get_or_404", "actor", "table_header", "cell_text", "PermissionDenied"]
