"""述职评议 vote sheet: one row per vote — 组织编码 | 指标编码 | 评议人 | 评价 (组织名称 optional).

Parse and validate the whole file against the round (VoteContext); raise ImportFailed with
every issue (Chinese, naming sheet, row and column) or return plain VoteRows. Rows with
neither 评议人 nor 评价 are skipped (blank template lines).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from scorecard.importers.common import (
    FORMULA_MESSAGE,
    ImportFailed,
    ImportIssue,
    IssueCollector,
    cell_text,
    is_formula,
    iter_rows,
    match_headers,
    open_workbook,
)

HEADERS = {
    "org_code": ("组织编码", "单位编码", "编码"),
    "org_name": ("组织名称", "单位名称", "名称"),
    "leaf_code": ("指标编码", "测评指标编码", "指标"),
    "rater": ("评议人", "评委", "测评人", "评议人编号"),
    "choice": ("评价", "评议结果", "测评结果", "投票"),
}
REQUIRED = {"org_code": "组织编码", "leaf_code": "指标编码", "rater": "评议人", "choice": "评价"}
HEADER_SCAN_ROWS = 10
MAX_RATER = 50


@dataclass(frozen=True)
class VoteContext:
    targets: dict[str, tuple[str, str, bool]]  # org code → (name, category, actor may enter votes)
    leaves: dict[str, tuple[str, list[str]]]  # vote leaf code → (name, options)
    applicable: dict[str, set[str]]  # category → applicable leaf codes


@dataclass(frozen=True)
class VoteRow:
    row: int
    org_code: str
    leaf_code: str
    rater: str
    choice: str


def parse_votes(source: str | bytes | IO[bytes], ctx: VoteContext) -> list[VoteRow]:
    wb = open_workbook(source)
    try:
        ws = wb.worksheets[0]
        return _parse(ws, ctx)
    finally:
        wb.close()


def _parse(ws, ctx: VoteContext) -> list[VoteRow]:
    issues = IssueCollector()
    cols: dict[str, int] | None = None
    rows: list[VoteRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, values in iter_rows(ws):
        if cols is None:
            found = match_headers(values, HEADERS)
            if all(k in found for k in REQUIRED):
                cols = found
            elif number >= HEADER_SCAN_ROWS:
                break
            continue
        row = _row(ws.title, number, values, cols, ctx, issues)
        if row is None:
            continue
        key = (row.org_code, row.leaf_code, row.rater)
        if key in seen:
            issues.add(f"评议人“{row.rater}”对“{row.org_code}”的指标{row.leaf_code}重复投票（与第{seen[key]}行重复）",
                       ws.title, number, cols["rater"] + 1)
            continue
        seen[key] = number
        rows.append(row)
    if cols is None:
        missing = "、".join(REQUIRED.values())
        raise ImportFailed([ImportIssue(f"未找到表头：前{HEADER_SCAN_ROWS}行中须有“{missing}”四列", ws.title)])
    if not rows and not issues:
        issues.add("文件中没有评议票", ws.title)
    issues.fail_if_any()
    return rows


def _cell(values, cols, key):
    index = cols.get(key)
    return values[index] if index is not None and index < len(values) else None


def _row(sheet, number, values, cols, ctx: VoteContext, issues: IssueCollector) -> VoteRow | None:
    raw = {k: _cell(values, cols, k) for k in REQUIRED}
    text: dict[str, str] = {}
    for key, value in raw.items():
        if is_formula(value):
            issues.add(FORMULA_MESSAGE, sheet, number, cols[key] + 1)
            return None
        text[key] = cell_text(value)
    if not any(text.values()):
        return None
    if not text["rater"] and not text["choice"]:
        return None  # a blank template line (code filled, nobody voted)
    before = len(issues.issues)
    for key, label in REQUIRED.items():
        if not text[key]:
            issues.add(f"“{label}”不能为空", sheet, number, cols[key] + 1)
    if len(issues.issues) > before:
        return None
    target = ctx.targets.get(text["org_code"])
    leaf = ctx.leaves.get(text["leaf_code"])
    col = {k: cols[k] + 1 for k in REQUIRED}
    if target is None:
        issues.add(f"组织编码“{text['org_code']}”不是本轮考核对象", sheet, number, col["org_code"])
        return None
    name, category, allowed = target
    if not allowed:
        issues.add(f"您不能录入“{name}”的评议票（所在单位回避或不在管理范围内）", sheet, number, col["org_code"])
        return None
    if leaf is None:
        issues.add(f"指标编码“{text['leaf_code']}”不是本轮方案中计分方式为“测评”的末级指标",
                   sheet, number, col["leaf_code"])
        return None
    if text["leaf_code"] not in ctx.applicable.get(category, set()):
        issues.add(f"指标“{text['leaf_code']} {leaf[0]}”不适用于“{name}”的类别“{category}”",
                   sheet, number, col["leaf_code"])
        return None
    if len(text["rater"]) > MAX_RATER:
        issues.add(f"评议人不能超过{MAX_RATER}个字符", sheet, number, col["rater"])
        return None
    if text["choice"] not in leaf[1]:
        issues.add(f"评价“{text['choice']}”无效，可选：{'、'.join(leaf[1])}", sheet, number, col["choice"])
        return None
    return VoteRow(number, text["org_code"], text["leaf_code"], text["rater"], text["choice"])
