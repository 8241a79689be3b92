"""Score import: the score template written by our exporter, filled in by an assessor.

Layout: sheet 评分 (or the first sheet); a title row; a header row (within the first 5 rows)
with 组织编码, 组织名称, one column per leaf headed "<code> <name>" (or just the code), and a
备注 column; optionally a 满分 row (second cell "满分") that is skipped. One row per target.
An empty cell means "not scored". Parse and validate only; nothing is written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Mapping, Sequence

from openpyxl.utils import get_column_letter

from scorecard.importers.common import (
    FORMULA_MESSAGE,
    READ_FAILED_MESSAGE,
    ImportFailed,
    ImportIssue,
    IssueCollector,
    cell_number,
    clean_text,
    decimal_places,
    format_decimal,
    header_key,
    is_blank,
    is_formula,
    iter_rows,
    open_workbook,
    row_value,
)

SHEET_NAME = "评分"
HEADER_SEARCH_ROWS = 5
CODE_HEADER = "组织编码"
NOTE_HEADERS = {"备注", "扣分原因", "备注扣分原因"}
IGNORED_HEADERS = {"组织名称", "名称", "单位名称", "类别", "考核类别", "序号", "片组", "合计", "总分",
                   "得分合计", "小计"}
FULL_MARKS_LABEL = "满分"
_CODE_PREFIX = re.compile(r"^([0-9A-Za-z][0-9A-Za-z.\-_]*)")
_NOTE_SEGMENTS = re.compile(r"[；;\r\n]+")
_NOTE_CODE = re.compile(r"^\s*([0-9A-Za-z][0-9A-Za-z.\-_]*)\s*[：:]\s*(.*)$", re.S)


@dataclass
class ScoreCell:
    row: int
    column: int
    target_code: str
    leaf_code: str
    points: Decimal
    reason: str | None


@dataclass
class LeafInfo:
    code: str
    name: str
    max_points: Decimal
    rule_type: str


def parse_scores(source: str | bytes | IO[bytes], leaves: Sequence[LeafInfo],
                 targets: Mapping[str, str], applicable: Mapping[str, set[str]]) -> list[ScoreCell]:
    """Every filled score cell of the template, validated; or ImportFailed with every issue.

    `targets` maps each round target's org code to its category, `applicable` maps a category
    to the leaf codes that apply to it (a category absent from `applicable` has every leaf)."""
    wb = open_workbook(source)
    try:
        return _parse(wb, leaves, targets, applicable)
    except ImportFailed:
        raise
    except Exception:  # a reader error deep inside a malformed sheet
        raise ImportFailed([ImportIssue(READ_FAILED_MESSAGE)]) from None
    finally:
        wb.close()


def leaf_code_of_header(text: str, codes: set[str]) -> tuple[str | None, str | None]:
    """(known code, unknown code) for a header cell: "2.1 组织生活" → ("2.1", None);
    "9.9 其他" → (None, "9.9"); "联系人" → (None, None)."""
    text = text.replace("\u3000", " ").strip()
    if not text:
        return None, None
    if text in codes:
        return text, None
    token = text.split()[0]
    if token in codes:
        return token, None
    match = _CODE_PREFIX.match(text)
    if match and match.group(1) in codes:
        return match.group(1), None
    if match or any(ch.isascii() and ch.isalnum() for ch in token):
        return None, token
    return None, None


def _parse(wb, leaves, targets, applicable) -> list[ScoreCell]:
    issues = IssueCollector()
    if not wb.sheetnames:
        raise ImportFailed([ImportIssue("工作簿中没有工作表")])
    name = SHEET_NAME if SHEET_NAME in wb.sheetnames else wb.sheetnames[0]
    ws = wb[name]
    sheet = ws.title
    by_code = {leaf.code: leaf for leaf in leaves}
    codes = set(by_code)

    header_row = None
    code_col = note_col = None
    leaf_cols: dict[int, LeafInfo] = {}
    seen_rows: dict[str, int] = {}
    cells: list[ScoreCell] = []
    for number, values in iter_rows(ws):
        if header_row is None:
            if number > HEADER_SEARCH_ROWS:
                break
            keys = [header_key(v) if isinstance(v, str) and not is_formula(v) else "" for v in values]
            if CODE_HEADER in keys:
                header_row = number
                code_col, note_col, leaf_cols = _header(sheet, number, values, keys, by_code, codes, issues)
            continue
        _row(sheet, number, values, code_col, note_col, leaf_cols, targets, applicable,
             codes, seen_rows, cells, issues)

    if header_row is None:
        issues.add(f"未找到“{CODE_HEADER}”列：请使用导出的评分模板（前{HEADER_SEARCH_ROWS}行内需有“{CODE_HEADER}”表头）", sheet)
    elif not leaf_cols and not issues:
        issues.add("未找到任何指标列：指标列的表头应为“编码 名称”，如“2.1 组织生活”", sheet, header_row)
    issues.fail_if_any()
    return cells


def _header(sheet, number, values, keys, by_code, codes, issues):
    code_col = keys.index(CODE_HEADER)
    note_col = None
    leaf_cols: dict[int, LeafInfo] = {}
    first_col_of: dict[str, int] = {}
    for index, value in enumerate(values):
        if index == code_col or is_blank(value):
            continue
        if is_formula(value):
            issues.add(FORMULA_MESSAGE, sheet, number, index + 1)
            continue
        key = keys[index]
        if key in NOTE_HEADERS:
            if note_col is None:
                note_col = index
            continue
        if key in IGNORED_HEADERS or key == CODE_HEADER:
            continue
        known, unknown = leaf_code_of_header(clean_text(value), codes)
        if known is not None:
            if known in first_col_of:
                issues.add(f"指标“{known}”的列重复（与{get_column_letter(first_col_of[known] + 1)}列相同）",
                           sheet, number, index + 1)
            else:
                first_col_of[known] = index
                leaf_cols[index] = by_code[known]
        elif unknown is not None:
            issues.add(f"表头中的指标编码“{unknown}”不在考核方案中", sheet, number, index + 1)
    return code_col, note_col, leaf_cols


def _row(sheet, number, values, code_col, note_col, leaf_cols, targets, applicable, codes,
         seen_rows, cells, issues) -> None:
    if all(is_blank(v) for v in values):
        return
    if clean_text(row_value(values, 1)) == FULL_MARKS_LABEL or clean_text(row_value(values, code_col)) == FULL_MARKS_LABEL:
        return
    raw_code = row_value(values, code_col)
    if is_formula(raw_code):
        issues.add(FORMULA_MESSAGE, sheet, number, code_col + 1)
        return
    code = clean_text(raw_code)
    scored = [i for i in leaf_cols if not is_blank(row_value(values, i))]
    if not code:
        if scored:
            issues.add("组织编码不能为空", sheet, number, code_col + 1)
        return
    if code not in targets:
        issues.add(f"组织编码“{code}”不在本轮考核对象中", sheet, number, code_col + 1)
        return
    if code in seen_rows:
        issues.add(f"组织编码重复（与第{seen_rows[code]}行相同）", sheet, number, code_col + 1)
        return
    seen_rows[code] = number
    category = targets[code]
    allowed = applicable.get(category) if category in applicable else None

    note_value = row_value(values, note_col)
    if is_formula(note_value):
        issues.add(FORMULA_MESSAGE, sheet, number, note_col + 1)
        note_value = None
    coded, plain = _reasons(note_value, codes)

    for index in scored:
        leaf = leaf_cols[index]
        value = row_value(values, index)
        column = index + 1
        try:
            points = cell_number(value, "得分")
        except ValueError as exc:
            issues.add(str(exc), sheet, number, column)
            continue
        if allowed is not None and leaf.code not in allowed:
            issues.add(f"指标{leaf.code}不适用于“{category}”类别的组织，请留空", sheet, number, column)
            continue
        shown = format_decimal(points)
        if points < 0:
            issues.add(f"得分{shown}不能小于0", sheet, number, column)
            continue
        if points > leaf.max_points:
            issues.add(f"得分{shown}超出该项满分{leaf.max_points:.2f}", sheet, number, column)
            continue
        if decimal_places(points) > 2:
            issues.add(f"得分{shown}最多保留两位小数", sheet, number, column)
            continue
        reason = coded.get(leaf.code)
        if leaf.rule_type == "deduct" and points < leaf.max_points:
            reason = reason or plain
            if not reason:
                issues.add(f"第{number}行扣分项{leaf.code}低于满分，须在备注中写明扣分原因"
                           f"（格式：{leaf.code}：原因）", sheet, number, column)
                continue
        cells.append(ScoreCell(number, column, code, leaf.code, points, reason))


def _reasons(note, codes: set[str]) -> tuple[dict[str, str], str | None]:
    """Split a 备注 cell into per-code reasons ("2.1：迟交；3.2：缺记录") and plain text."""
    if note is None:
        return {}, None
    text = str(note) if isinstance(note, str) else clean_text(note)
    coded: dict[str, str] = {}
    plain: list[str] = []
    for segment in _NOTE_SEGMENTS.split(text):
        segment = segment.strip()
        if not segment:
            continue
        match = _NOTE_CODE.match(segment)
        if match and match.group(1) in codes:
            reason = " ".join(match.group(2).split())
            if reason:
                coded[match.group(1)] = f"{coded[match.group(1)]}；{reason}" if match.group(1) in coded else reason
            continue
        plain.append(" ".join(segment.split()))
    return coded, "；".join(plain) or None
