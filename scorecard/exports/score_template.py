"""The score template (评分表) assessors fill in offline and import back.

Layout (importers/scores.py relies on it): sheet "评分"; row 1 merged title; row 2 header
组织编码 | 组织名称 | 类别 | "<code> <name>" per leaf | 备注; row 3 "" | 满分 | "" | each leaf's
max | ""; one target per row from row 4. Cells of leaves that do not apply to a target's
category are grey and empty; the others carry a 0..max decimal validation.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Mapping, Sequence

from sqlalchemy.orm import Session

from scorecard.exports.xlsx import (
    PrintSetup,
    Styles,
    excel_number,
    new_workbook,
    points_text,
    set_print,
    text_width,
    write_title,
    write_value,
    writing,
)
from scorecard.models import Round, User
from scorecard.services.scoring import exchange

SHEET = "评分"
HELP_SHEET = "填写说明"
TITLE_ROW, HEADER_ROW, MAX_ROW, FIRST_DATA_ROW = 0, 1, 2, 3  # 0-based (Excel rows 1–4)
FIXED_COLUMNS = ("组织编码", "组织名称", "类别")
NOTE_HEADER = "备注"
MAX_LABEL = "满分"

Leaf = tuple[str, str, Decimal]  # code, name, max points
Target = tuple[str, str, str, "set[str] | frozenset[str]"]  # org code, org name, category, applicable leaves


def leaf_header(code: str, name: str) -> str:
    return f"{code} {name}"


def write_score_template(
    path: str | Path,
    title: str,
    leaves: Sequence[Leaf],
    targets: Sequence[Target],
    existing: Mapping[tuple[str, str], Decimal] | None = None,
    notes: Mapping[str, str] | None = None,
    created: dt.datetime | dt.date | None = None,
) -> None:
    """existing: {(org_code, leaf_code): points} to prefill; notes: {org_code: 备注 text}."""
    wb = new_workbook(path, created=created, title=title)
    try:
        styles = Styles(wb)
        fmt = _formats(wb)
        ws = wb.add_worksheet(SHEET)
        ncols = len(FIXED_COLUMNS) + len(leaves) + 1
        _widths(ws, leaves, targets)
        write_title(ws, TITLE_ROW, ncols, title, styles.title, 32)
        _header(ws, leaves, styles, fmt)
        _rows(ws, leaves, targets, existing or {}, notes or {}, styles)
        _validations(ws, leaves, targets)
        ws.freeze_panes(FIRST_DATA_ROW, len(FIXED_COLUMNS))
        set_print(ws, PrintSetup(HEADER_ROW, MAX_ROW))
        _help_sheet(wb, styles, leaves)
    finally:
        wb.close()


def _formats(wb):
    return {
        "max": wb.add_format({"border": 1, "border_color": "#808080", "bold": True, "bg_color": "#FCE4D6",
                              "align": "center", "valign": "vcenter", "num_format": "General"}),
    }


def _widths(ws, leaves: Sequence[Leaf], targets: Sequence[Target]) -> None:
    name_width = max([text_width(t[1]) for t in targets] + [16])
    cat_width = max([text_width(t[2]) for t in targets] + [6])
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, min(name_width + 2, 50))
    ws.set_column(2, 2, cat_width + 2)
    for col, (code, name, _mx) in enumerate(leaves, start=len(FIXED_COLUMNS)):
        ws.set_column(col, col, max(10, min(18, text_width(leaf_header(code, name)) // 3 + 4)))
    ws.set_column(len(FIXED_COLUMNS) + len(leaves), len(FIXED_COLUMNS) + len(leaves), 50)


def _header(ws, leaves: Sequence[Leaf], styles: Styles, fmt) -> None:
    longest = max([text_width(leaf_header(c, n)) for c, n, _ in leaves] + [8])
    ws.set_row(HEADER_ROW, min(15 * (1 + longest // 14), 90))
    headers = [*FIXED_COLUMNS, *(leaf_header(c, n) for c, n, _ in leaves), NOTE_HEADER]
    for col, text in enumerate(headers):
        ws.write_string(HEADER_ROW, col, text, styles.header)
    ws.write_blank(MAX_ROW, 0, None, fmt["max"])
    ws.write_string(MAX_ROW, 1, MAX_LABEL, fmt["max"])
    ws.write_blank(MAX_ROW, 2, None, fmt["max"])
    for col, (_code, _name, mx) in enumerate(leaves, start=len(FIXED_COLUMNS)):
        write_value(ws, MAX_ROW, col, "num", mx, fmt["max"])
    ws.write_blank(MAX_ROW, len(headers) - 1, None, fmt["max"])


def _rows(ws, leaves, targets, existing, notes, styles: Styles) -> None:
    for row, (org_code, org_name, category, applicable) in enumerate(targets, start=FIRST_DATA_ROW):
        write_value(ws, row, 0, "text", org_code, styles.text)
        write_value(ws, row, 1, "text", org_name, styles.text)
        write_value(ws, row, 2, "text", category, styles.text)
        for col, (code, _name, _mx) in enumerate(leaves, start=len(FIXED_COLUMNS)):
            if code in applicable:
                write_value(ws, row, col, "num", existing.get((org_code, code)), styles.entry)
            else:
                ws.write_blank(row, col, None, styles.grey)
        write_value(ws, row, len(FIXED_COLUMNS) + len(leaves), "text", notes.get(org_code, ""), styles.text)


def _validations(ws, leaves: Sequence[Leaf], targets: Sequence[Target]) -> None:
    """One decimal 0..max validation per leaf column over each run of applicable rows."""
    for col, (code, name, mx) in enumerate(leaves, start=len(FIXED_COLUMNS)):
        options = {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": excel_number(mx),
            "ignore_blank": True,
            "input_title": code[:32],
            "input_message": f"{name}：填0～{points_text(mx)}分，留空表示未评分"[:255],
            "error_title": "分值超出范围",
            "error_message": f"{code} {name}的得分应在0到{points_text(mx)}分之间"[:255],
        }
        for first, last in _runs([code in t[3] for t in targets]):
            ws.data_validation(FIRST_DATA_ROW + first, col, FIRST_DATA_ROW + last, col, options)


def _runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for i, flag in enumerate(flags):
        if not flag:
            continue
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


HELP_LINES = (
    ("怎样填写", [
        "1. 每行是一个考核对象，每个指标一列，列标题为“指标编码 指标名称”，第3行是该指标的满分。",
        "2. 单元格填写该指标的得分（分数，不是百分比），范围为0到满分，最多两位小数。",
        "3. 单元格留空表示“未评分”，不是0分；导入时留空的单元格不会改动已保存的评分。",
        "4. 灰色单元格表示该指标不适用于此考核对象的类别，请勿填写。",
        "5. 扣分类指标低于满分时，必须在本行“备注”中写明扣分原因，格式为“指标编码：原因”，"
        "多个指标用中文分号隔开，例如：2.1：未按期召开组织生活会；3.2：台账不完整",
        "6. 其他指标低于满分时，也可按同样格式在“备注”中写明理由，导入后作为评分说明保存。",
    ]),
    ("注意事项", [
        "1. 请勿修改第1～3行、前三列（组织编码、组织名称、类别）及各列的顺序；可以删除不评分的行。",
        "2. 请填写数值，不要填写公式；从其他表格粘贴时请使用“选择性粘贴→数值”。",
        "3. 导入时先检查整个文件，发现任何错误都会逐条列出（工作表、行、列），并且不写入任何数据；"
        "改正后重新导入即可。",
        "4. 您所在单位（需回避）不会出现在您的评分表中，也不能导入其评分。",
    ]),
)


def _help_sheet(wb, styles: Styles, leaves: Sequence[Leaf]) -> None:
    ws = wb.add_worksheet(HELP_SHEET)
    ws.set_column(0, 0, 100)
    ws.set_row(0, 30)
    ws.write_string(0, 0, "评分表填写说明", styles.title)
    row = 1
    for heading, lines in HELP_LINES:
        ws.write_string(row, 0, heading, styles.heading)
        row += 1
        for line in lines:
            ws.set_row(row, 15 * (1 + text_width(line) // 96))
            ws.write_string(row, 0, line, styles.paragraph)
            row += 1
    ws.write_string(row, 0, f"本表共{len(leaves)}个末级指标。", styles.paragraph)


def export_score_template(session: Session, actor: User, rnd: Round, path: str | Path) -> int:
    """Write the actor's score template for rnd (prefilled with the actor's own saved scores
    and their comments as 备注). Returns the number of target rows."""
    t = exchange.score_template(session, actor, rnd)
    with writing(path):
        write_score_template(path, t.title, t.leaves, t.targets, t.existing, t.notes, created=t.created)
    return len(t.targets)
