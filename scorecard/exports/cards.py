"""The score card (评分卡) of one target: its column spec (shared with the HTML page) and the
printable one-sheet workbook. A4 landscape, one page wide, the leaf table's header repeated on
every printed page; numbers are written as numbers, text always as text."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Sequence

from scorecard.domain.numbers import fmt
from scorecard.exports.columns import Column
from scorecard.exports.xlsx import (
    PrintSetup,
    Styles,
    chinese_date,
    header_rows,
    new_workbook,
    points_text,
    set_print,
    set_widths,
    write_header,
    write_title,
    write_value,
)
from scorecard.services.cards.card import CardLeaf, CardTop, ScoreCard

SHEET = "评分卡"
DELTA_FORMAT = "+0.00;-0.00;0.00"
TITLE_ROW, SUBTITLE_ROW, SUMMARY_ROW = 0, 1, 2


def entry_note(leaf: CardLeaf, assessor_id: int) -> str:
    """An assessor's comment, with the input explained for rules whose number needs it
    (档次、计次、定量 …); deductions have their own column."""
    e = leaf.entries.get(assessor_id)
    if e is None:
        return ""
    parts = []
    if e.detail and not e.deductions and e.detail not in ("直接打分", "无扣分"):
        parts.append(e.detail)
    if e.comment:
        parts.append(e.comment)
    return "；".join(parts)


def card_columns(card: ScoreCard) -> list[Column]:
    """编码, 指标, 分值, 评分方式, 评分标准, each assessor's 评分 and 评语, 得分, 扣分原因, extras."""
    cols = [
        Column("code", "编码", "text", 7, lambda x: x.code),
        Column("name", "指标", "text", 22, lambda x: x.name),
        Column("max", "分值", "num", 7, lambda x: x.max_points),
        Column("rule_type", "评分方式", "text", 9, lambda x: x.rule_label),
        Column("rule", "评分标准", "text", 36, lambda x: x.rule_text),
    ]
    for a in card.assessors:
        cols.append(Column(f"a{a.id}:points", "评分", "num", 7,
                           lambda x, i=a.id: x.entries[i].points if i in x.entries else None, group=a.name))
        cols.append(Column(f"a{a.id}:comment", "评语", "text", 18,
                           lambda x, i=a.id: entry_note(x, i), group=a.name))
    cols.append(Column("final", "得分", "num", 8, lambda x: x.final))
    cols.append(Column("deductions", "扣分及原因", "text", 28, lambda x: x.deductions_text))
    for extra in card.extras:
        cols.append(Column(extra.key, extra.header, extra.kind, extra.width,
                           lambda x, k=extra.key: x.extras.get(k)))
    return cols


def top_values(top: CardTop) -> dict[str, object]:
    """The first-level subtotal row, by column key (other cells stay blank)."""
    return {"code": top.code, "name": f"{top.name}（小计）", "max": top.full, "final": top.subtotal}


def summary_lines(card: ScoreCard) -> list[tuple[str, str, object, str]]:
    """(key, label, value, explanation) of the card's summary; value: Decimal/int/str."""
    fm = points_text
    base_text = (f"折算：原始分 {card.base_raw:f} × 满分 {fm(card.full_marks)} ÷ 适用满分 {card.applicable_full:f}"
                 if card.converted else f"各一级指标得分之和（适用满分 {card.applicable_full:f} 分）")
    bonus = [a for a in card.adjustments if a.kind == "加分"]
    penalty = [a for a in card.adjustments if a.kind == "减分"]
    lines = [
        ("total", "总分", card.total, f"= 基础分 {card.base:f} + 加分 {card.bonus:f} − 减分 {card.penalty:f}"),
        ("base", "基础分", card.base, base_text),
        ("bonus", "加分", card.bonus, _items(bonus) or "无加分项"),
        ("penalty", "减分", card.penalty, _items(penalty) or "无减分项"),
        ("rank", "排名", card.rank, f"在“{card.category}”类别内排名，共 {card.category_size} 个"),
        ("tier", "等次", card.tier, _tier_text(card)),
        ("veto", "一票否决", "是" if card.veto else "否",
         (f"原因：{card.veto_reason}" + ("（等次已封顶）" if card.veto_capped else "")) if card.veto else "未启用"),
        ("override", "等次调整", card.override_tier or "无",
         f"由“{card.computed_tier}”调整为“{card.override_tier}”，原因：{card.override_reason}"
         if card.override_tier else "未调整"),
        ("delta", "较上一轮", card.previous.delta if card.previous else "—", _previous_text(card)),
    ]
    if card.notes:
        lines.append(("notes", "备注", "", card.notes_text))
    return lines


def _items(items) -> str:
    return "；".join(f"{a.code} {a.name} {a.points:f}分（{a.reason}）" for a in items)


def _tier_text(card: ScoreCard) -> str:
    if card.computed_tier != card.tier:
        return f"按总分计算为“{card.computed_tier}”"
    return "按总分确定"


def _previous_text(card: ScoreCard) -> str:
    p = card.previous
    if p is None:
        return "同一方案没有更早的考核轮次"
    phase = "" if p.phase == "已定档" else f"（{p.phase}）"
    return f"上一轮“{p.round_name}”{phase}：总分 {p.total:f}，第 {p.rank} 名，等次“{p.tier}”"


def _cell_text(kind: str, value) -> str:
    if value is None:
        return ""
    return fmt(value) if kind == "num" else str(value)


def page_tops(card: ScoreCard, columns: Sequence[Column]) -> list[dict]:
    """The leaf table as the HTML page shows it: per first level its subtotal cells and its
    leaves' cells, each cell (column key, kind, text)."""
    out = []
    for top in card.tops:
        values = top_values(top)
        cells = [(c.key, c.kind, _cell_text(c.kind if c.key in values else "text", values.get(c.key)))
                 for c in columns]
        leaves = [{"leaf": leaf, "cells": [(c.key, c.kind, _cell_text(c.kind, c.value(leaf))) for c in columns]}
                  for leaf in top.leaves]
        out.append({"top": top, "cells": cells, "leaves": leaves})
    return out


def _summary_value_text(key: str, value) -> str:
    if isinstance(value, str):
        return value
    if key == "rank":
        return f"第 {value} 名"
    if key == "delta":
        return f"+{fmt(value)}" if value > 0 else fmt(value)
    return fmt(value)


def page_summary(card: ScoreCard) -> list[tuple[str, str, str, str]]:
    """summary_lines with the values as the page shows them (第 2 名, +1.50)."""
    return [(key, label, _summary_value_text(key, value), text) for key, label, value, text in summary_lines(card)]


def card_title(card: ScoreCard) -> str:
    return f"{card.org_name}考核评分卡"


def card_subtitle(card: ScoreCard) -> str:
    return (f"{card.round_name}　　考核类别：{card.category}　　组织编码：{card.org_code}　　"
            f"方案：{card.scheme_name}（第{card.scheme_version}版）　　阶段：{card.phase}　　"
            f"日期：{chinese_date(card.date)}")


class _Formats:
    def __init__(self, wb, styles: Styles) -> None:
        border = {"border": 1, "border_color": "#808080", "valign": "vcenter", "font_name": "宋体"}
        add = wb.add_format
        self.wrap = add({**border, "text_wrap": True})
        self.label = add({**border, "bold": True, "bg_color": "#F2F2F2"})
        self.top_text = add({**border, "bold": True, "bg_color": "#F2F2F2"})
        self.top_num = add({**border, "bold": True, "bg_color": "#F2F2F2", "num_format": "0.00"})
        self.delta = add({**border, "num_format": DELTA_FORMAT})
        self.big = add({**border, "bold": True, "num_format": "0.00", "font_size": 12})
        self.value_text = add({**border, "bold": True, "align": "center"})
        self.styles = styles

    def for_column(self, column: Column):
        return self.wrap if column.kind == "text" and column.width >= 18 else self.styles.for_kind(column.kind)


def write_card_workbook(card: ScoreCard, path: str | Path) -> None:
    """One sheet; the same card always gives the same bytes."""
    columns = card_columns(card)
    wb = new_workbook(path, created=dt.date.fromisoformat(card.date), title=card_title(card),
                      author=card.issuer, company=card.issuer)
    try:
        styles = Styles(wb)
        f = _Formats(wb, styles)
        ws = wb.add_worksheet(SHEET)
        n = len(columns)
        set_widths(ws, columns)
        write_title(ws, TITLE_ROW, n, card_title(card), styles.title, 32)
        write_title(ws, SUBTITLE_ROW, n, card_subtitle(card), styles.subtitle, 20)
        row = _summary(ws, SUMMARY_ROW, n, card, f)
        row += 1  # a blank line before the table
        header = row
        levels = header_rows(columns)
        for offset in range(levels):
            ws.set_row(header + offset, 20 if levels == 2 and offset == 0 else 30)
        write_header(ws, header, columns, styles)
        row = _leaf_rows(ws, header + levels, columns, card, f)
        row = _adjustment_rows(ws, row + 1, n, card, f)
        ws.freeze_panes(header + levels, 2)
        set_print(ws, PrintSetup(header, header + levels - 1))
    finally:
        wb.close()


def _merged_text(ws, row: int, first: int, last: int, text: str, fmt) -> None:
    if last > first:
        ws.merge_range(row, first, row, last, "", fmt)
    ws.write_string(row, first, text, fmt)


def _summary(ws, row: int, n: int, card: ScoreCard, f: _Formats) -> int:
    """Label (columns A:B), value (C), explanation (D to the last column)."""
    for key, label, value, text in summary_lines(card):
        ws.set_row(row, 20)
        _merged_text(ws, row, 0, 1, label, f.label)
        if key == "delta" and not isinstance(value, str):
            write_value(ws, row, 2, "num", value, f.delta)
        elif key == "rank":
            write_value(ws, row, 2, "int", value, f.styles.int)
        elif key == "total":
            write_value(ws, row, 2, "num", value, f.big)
        elif isinstance(value, str):
            write_value(ws, row, 2, "text", value, f.value_text)
        else:
            write_value(ws, row, 2, "num", value, f.styles.num)
        _merged_text(ws, row, 3, n - 1, text, f.wrap)
        row += 1
    return row


def _leaf_rows(ws, row: int, columns: Sequence[Column], card: ScoreCard, f: _Formats) -> int:
    formats = [f.for_column(c) for c in columns]
    for top in card.tops:
        values = top_values(top)
        for col, column in enumerate(columns):
            kind = column.kind if column.key in values else "text"
            write_value(ws, row, col, kind, values.get(column.key), f.top_num if kind == "num" else f.top_text)
        row += 1
        for leaf in top.leaves:
            for col, column in enumerate(columns):
                write_value(ws, row, col, column.kind, column.value(leaf), formats[col])
            row += 1
    return row


def _adjustment_rows(ws, row: int, n: int, card: ScoreCard, f: _Formats) -> int:
    """加减分项: type, item, points, reason (reason merged to the last column)."""
    ws.write_string(row, 0, "类型", f.styles.header)
    ws.write_string(row, 1, "加分项 / 减分项", f.styles.header)
    ws.write_string(row, 2, "分值", f.styles.header)
    _merged_text(ws, row, 3, n - 1, "原因", f.styles.header)
    row += 1
    if not card.adjustments:
        _merged_text(ws, row, 0, n - 1, "无加分项或减分项", f.wrap)
        return row + 1
    for a in card.adjustments:
        ws.write_string(row, 0, a.kind, f.styles.text)
        ws.write_string(row, 1, f"{a.code} {a.name}", f.wrap)
        write_value(ws, row, 2, "num", a.points, f.styles.num)
        _merged_text(ws, row, 3, n - 1, a.reason, f.wrap)
        row += 1
    return row


__all__ = ["card_columns", "top_values", "summary_lines", "page_tops", "page_summary", "write_card_workbook",
           "card_title", "SHEET"]
