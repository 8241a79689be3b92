"""Organisation import: one row per organisation (编码, 名称, 上级编码, 类别, 片组, 组织类型).

Parse and validate only; nothing is written. Either every row is returned, parents before
children, or ImportFailed carries every problem found with sheet, row and column.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import IO, Iterable

from scorecard.domain.tree import find_cycles
from scorecard.importers.common import (
    READ_FAILED_MESSAGE,
    ImportFailed,
    ImportIssue,
    IssueCollector,
    cell_text,
    clean_text,
    gc_paused,
    is_blank,
    iter_rows,
    match_header_keys,
    open_workbook,
    row_value,
)

SHEET_NAME = "组织"
HEADER_SEARCH_ROWS = 10
MAX_CODE = 32
MAX_NAME = 100
MAX_SHORT = 50

SYNONYMS: dict[str, list[str]] = {
    "code": ["编码", "组织编码", "单位编码", "代码"],
    "name": ["名称", "组织名称", "单位名称", "党组织名称"],
    "parent_code": ["上级编码", "上级组织编码", "上级代码"],
    "category": ["类别", "考核类别", "分类"],
    "group": ["片组", "党建片组"],
    "kind": ["组织类型", "类型"],
}
LABELS = {
    "code": "编码",
    "name": "名称",
    "parent_code": "上级编码",
    "category": "类别",
    "group": "片组",
    "kind": "组织类型",
}
LIMITS = {"code": MAX_CODE, "name": MAX_NAME, "parent_code": MAX_CODE,
          "category": MAX_SHORT, "group": MAX_SHORT, "kind": MAX_SHORT}
CODE_FIELDS = ("code", "parent_code")


@dataclass(slots=True)
class OrgRow:
    row: int
    code: str
    name: str
    parent_code: str | None
    category: str | None
    group: str | None
    kind: str | None


def parse_orgs(source: str | bytes | IO[bytes], existing_codes: Iterable[str] = ()) -> list[OrgRow]:
    """Parse the organisation sheet; raise ImportFailed with every issue, or return all rows
    ordered so that every parent comes before its children."""
    wb = open_workbook(source)
    try:
        with gc_paused():
            return _parse(wb, existing_codes)
    except ImportFailed:
        raise
    except Exception:  # a reader error deep inside a malformed sheet
        raise ImportFailed([ImportIssue(READ_FAILED_MESSAGE)]) from None
    finally:
        wb.close()


def _parse(wb, existing_codes: Iterable[str]) -> list[OrgRow]:
    issues = IssueCollector()
    if not wb.sheetnames:
        issues.add("工作簿中没有工作表")
        issues.fail_if_any()
    name = SHEET_NAME if SHEET_NAME in wb.sheetnames else wb.sheetnames[0]
    ws = wb[name]
    sheet = ws.title

    columns: dict[str, int] | None = None
    header_row = 0
    parsed: list[OrgRow] = []
    for number, values in iter_rows(ws):
        if columns is None:
            if number > HEADER_SEARCH_ROWS:
                break
            found = match_header_keys(values, SYNONYMS)
            if "code" in found and "name" in found:
                columns, header_row = found, number
            continue
        row = _read_row(sheet, number, values, columns, issues)
        if row is not None:
            parsed.append(row)

    if columns is None:
        issues.add("未找到表头：需要包含“编码”和“名称”列（前10行内）", sheet)
        issues.fail_if_any()
    if not parsed and not issues:
        issues.add("没有读取到任何组织，请在表头下方逐行填写", sheet, header_row + 1)
        issues.fail_if_any()

    existing = {clean_text(c) for c in existing_codes}
    _check_codes(sheet, parsed, columns, existing, issues)
    issues.fail_if_any()
    return _parents_first(parsed)


def _read_row(sheet, number, values, columns, issues) -> OrgRow | None:
    fast = _plain_row(number, values, columns)
    if fast is not None:
        return fast if fast is not _BLANK else None
    if all(is_blank(row_value(values, index)) for index in columns.values()):
        return None
    fields: dict[str, str | None] = {}
    ok = True
    for field, index in columns.items():
        value = row_value(values, index)
        label = LABELS[field]
        if field in CODE_FIELDS and isinstance(value, (bool, dt.date, dt.time, dt.timedelta)):
            issues.add(f"{label}不能是日期或逻辑值，请将单元格设为文本后填写编码", sheet, number, index + 1)
            ok = False
            continue
        try:
            text = cell_text(value)
        except ValueError as exc:
            issues.add(str(exc), sheet, number, index + 1)
            ok = False
            continue
        if len(text) > LIMITS[field]:
            issues.add(f"{label}超过{LIMITS[field]}个字符（当前{len(text)}个）", sheet, number, index + 1)
            ok = False
        fields[field] = text or None
    for field in ("code", "name"):
        if field in fields and not fields[field]:
            issues.add(f"{LABELS[field]}不能为空", sheet, number, columns[field] + 1)
            ok = False
    if not ok:
        return None
    return OrgRow(
        row=number,
        code=fields["code"],
        name=fields["name"],
        parent_code=fields.get("parent_code"),
        category=fields.get("category"),
        group=fields.get("group"),
        kind=fields.get("kind"),
    )


_BLANK = object()


def _plain_row(number, values, columns) -> OrgRow | object | None:
    """The common row of text cells (no formula) within the limits, with a code and a name:
    the OrgRow, or _BLANK for a blank row; None when any cell needs the checks of _read_row
    (same results, without a call per cell)."""
    fields: dict[str, str | None] = {}
    size = len(values)
    for field, index in columns.items():
        value = values[index] if index < size else None
        if value is None:
            fields[field] = None
            continue
        if value.__class__ is not str or value[:1] == "=":
            return None
        text = " ".join(value.replace("\u3000", " ").split())  # clean_text of a str
        if len(text) > LIMITS[field]:
            return None
        fields[field] = text or None
    code, name = fields.get("code"), fields.get("name")
    if code is None or name is None:
        return _BLANK if not any(fields.values()) else None
    return OrgRow(row=number, code=code, name=name, parent_code=fields.get("parent_code"),
                  category=fields.get("category"), group=fields.get("group"), kind=fields.get("kind"))


def _check_codes(sheet, rows: list[OrgRow], columns, existing: set[str], issues) -> None:
    first: dict[str, OrgRow] = {}
    code_col = columns["code"] + 1
    parent_col = columns["parent_code"] + 1 if "parent_code" in columns else None
    for row in rows:
        if row.code in first:
            issues.add(f"组织编码重复（与第{first[row.code].row}行相同）", sheet, row.row, code_col)
        else:
            first[row.code] = row
    for row in rows:
        parent = row.parent_code
        if parent is None:
            continue
        if parent == row.code:
            issues.add(f"上级编码“{parent}”不能是本组织自身", sheet, row.row, parent_col)
        elif parent not in first and parent not in existing:
            issues.add(f"上级编码“{parent}”不存在", sheet, row.row, parent_col)

    # loops among the rows of the file (A → B → A): each reported once, at its first row
    parent_of = {c: (r.parent_code if r.parent_code != c else None) for c, r in first.items()}
    for loop in find_cycles(parent_of):
        issues.add("上级编码形成循环：" + " → ".join(loop + loop[:1]), sheet, first[loop[0]].row, parent_col)


def _parents_first(rows: list[OrgRow]) -> list[OrgRow]:
    """Stable order where each organisation follows its parent (when the parent is in the file)."""
    by_code = {r.code: r for r in rows}
    done: set[str] = set()
    ordered: list[OrgRow] = []

    def emit(row: OrgRow) -> None:
        chain = []
        current: OrgRow | None = row
        while current is not None and current.code not in done:
            chain.append(current)
            done.add(current.code)
            current = by_code.get(current.parent_code) if current.parent_code else None
        ordered.extend(reversed(chain))

    for row in rows:
        emit(row)
    return ordered
