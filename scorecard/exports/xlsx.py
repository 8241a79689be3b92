"""The one workbook writer behind every export (XlsxWriter, constant-memory mode).

Rules kept here so that no export can get them wrong:
- user text is always written with ``write_string`` (never ``write``), and the workbook is
  opened with ``strings_to_formulas/urls/numbers`` off: "=1+1", "@SUM(1)", "http://x" stay text;
- numbers are written with ``write_number``; Decimal becomes float only in this module;
- document properties are fixed (no "now"), and XlsxWriter stamps every zip entry with a fixed
  1980 timestamp, so the same data written twice gives byte-identical files;
- constant-memory mode writes rows strictly in order: a header merged over two rows is written
  row by row and its merge ranges are registered afterwards (``write_header``).
"""
from __future__ import annotations

import contextlib
import copy
import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Sequence

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from scorecard.exports.columns import Column
from scorecard.services.errors import ServiceError

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_format_properties": {"font_name": "宋体", "font_size": 11},
}
FIXED_CREATED = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})

BORDER = {"border": 1, "border_color": "#808080", "valign": "vcenter"}
RED = "#C00000"
# (fill, font) from the best tier to the worst; the middle ones are taken in order.
TIER_BEST = ("#C6EFCE", "#006100")
TIER_MIDDLE = (("#DDEBF7", "#1F4E78"), ("#FFEB9C", "#9C5700"), ("#FCE4D6", "#833C0C"))
TIER_WORST = ("#FFC7CE", "#9C0006")


def tier_colors(index: int, count: int) -> tuple[str, str]:
    """(fill, font colour) of the index-th tier of count, best first. One tier: the best's."""
    if index == 0:
        return TIER_BEST
    if index == count - 1:
        return TIER_WORST
    return TIER_MIDDLE[min(index - 1, len(TIER_MIDDLE) - 1)]


def new_workbook(path: str | Path, created: dt.datetime | dt.date | None = None,
                 title: str = "", author: str = "", company: str = "") -> xlsxwriter.Workbook:
    """A workbook with the safe options and fixed document properties.

    created: a fixed datetime (or date, taken as midnight UTC); default 2000-01-01.
    """
    # A deep copy: XlsxWriter mutates default_format_properties (adds font_scheme), which made
    # the second workbook written by one process differ from the first.
    wb = xlsxwriter.Workbook(str(path), copy.deepcopy(WORKBOOK_OPTIONS))
    wb.set_properties({
        "title": title,
        "author": author,
        "company": company,
        "comments": "scorecard",
        "created": _fixed_datetime(created),
    })
    return wb


def _fixed_datetime(value: dt.datetime | dt.date | None) -> dt.datetime:
    if value is None:
        return FIXED_CREATED
    if not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def text_width(text: str) -> int:
    """Display width in Excel characters: CJK (wide/fullwidth) count 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def safe_sheet_name(name: str, taken: Iterable[str] = (), fallback: str = "工作表") -> str:
    """A sheet name Excel accepts: no []:*?/\\, not blank, no leading/trailing apostrophe,
    at most 31 characters, and unique (case-insensitively) among `taken`."""
    text = " ".join(str(name).translate(_SHEET_FORBIDDEN).split()).strip("'") or fallback
    text = text[:SHEET_NAME_MAX]
    used = {t.lower() for t in taken}
    candidate, n = text, 1
    while candidate.lower() in used or candidate.lower() == "history":
        n += 1
        suffix = f"({n})"
        candidate = text[:SHEET_NAME_MAX - len(suffix)] + suffix
    return candidate


class Styles:
    """The formats every export uses, created once per workbook."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        add = wb.add_format
        self.title = add({"font_name": "黑体", "font_size": 16, "bold": True,
                          "align": "center", "valign": "vcenter"})
        self.subtitle = add({"font_name": "宋体", "font_size": 10, "align": "center", "valign": "vcenter"})
        self.header = add({**BORDER, "font_name": "宋体", "bold": True, "font_color": "#FFFFFF",
                           "bg_color": "#C00000", "align": "center", "text_wrap": True})
        self.text = add({**BORDER, "font_name": "宋体"})
        self.int = add({**BORDER, "font_name": "宋体", "num_format": "0", "align": "center"})
        self.num = add({**BORDER, "font_name": "宋体", "num_format": "0.00"})
        self.good = add({**BORDER, "font_name": "宋体", "bg_color": "#C6EFCE", "font_color": "#006100",
                         "align": "center"})
        self.bad = add({**BORDER, "font_name": "宋体", "bg_color": "#FFC7CE", "font_color": "#9C0006",
                        "align": "center"})
        self.grey = add({**BORDER, "bg_color": "#D9D9D9", "pattern": 1})
        self.entry = add({**BORDER, "font_name": "宋体", "num_format": "0.00",
                          "locked": False})
        self.paragraph = add({"font_name": "宋体", "text_wrap": True, "valign": "top"})
        self.heading = add({"font_name": "黑体", "bold": True, "font_size": 12, "valign": "vcenter"})
        # 红头: the title in red over a red rule (the subtitle's bottom border), as official
        # documents of the issuing organisation are laid out.
        self.redhead = add({"font_name": "黑体", "font_size": 16, "bold": True, "font_color": RED,
                            "align": "center", "valign": "vcenter"})
        self.redline = add({"font_name": "宋体", "font_size": 10, "align": "center", "valign": "vcenter",
                            "bottom": 6, "bottom_color": RED})
        self.wrap = add({**BORDER, "font_name": "宋体", "text_wrap": True})
        self.subtotal = add({**BORDER, "font_name": "宋体", "num_format": "0.00", "bold": True,
                             "bg_color": "#F2F2F2"})
        self._wb = wb
        self._tiers: dict[tuple[int, int], Format] = {}

    def tier(self, index: int, count: int) -> Format:
        """The fill of the index-th of count tiers (best first): green … red."""
        key = (index, count)
        if key not in self._tiers:
            color, font = tier_colors(index, count)
            self._tiers[key] = self._wb.add_format({**BORDER, "font_name": "宋体", "bg_color": color,
                                                    "font_color": font, "align": "center"})
        return self._tiers[key]

    def for_kind(self, kind: str) -> Format:
        return {"int": self.int, "num": self.num}.get(kind, self.text)


def to_float(value: Decimal | int | float) -> float:
    """The only place a Decimal becomes a float: at the write_number edge."""
    return float(value)


def excel_number(value: Decimal | int) -> int | float:
    """A number for an Excel setting (validation bounds): int when integral, else float."""
    return int(value) if value == int(value) else to_float(value)


def write_value(ws: Worksheet, row: int, col: int, kind: str, value, fmt: Format | None) -> None:
    """Write one value by column kind: None → blank, numbers via write_number, text always via
    write_string (so a leading = + - @ or a URL stays text)."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif kind == "int" and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        ws.write_number(row, col, int(value), fmt)
    elif kind in ("int", "num") and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        ws.write_number(row, col, to_float(value), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


StyleHook = Callable[[Column, object, object], "Format | None"]


def write_table(ws: Worksheet, first_row: int, columns: Sequence[Column], items: Iterable,
                styles: Styles, style_for: StyleHook | None = None,
                tick: Callable[[], None] | None = None, formats: Sequence[Format] | None = None) -> int:
    """Write items as rows from first_row; returns the row after the last one written.
    style_for(column, item, value) may return a format overriding the column kind's;
    formats overrides the per-column defaults; tick() is called after every row (progress)."""
    kind_formats = list(formats) if formats else [styles.for_kind(c.kind) for c in columns]
    row = first_row
    for item in items:
        for col, column in enumerate(columns):
            value = column.value(item)
            fmt = (style_for(column, item, value) if style_for else None) or kind_formats[col]
            write_value(ws, row, col, column.kind, value, fmt)
        row += 1
        if tick is not None:
            tick()
    return row


def header_rows(columns: Sequence[Column]) -> int:
    """2 when any column is grouped under an upper header cell, else 1."""
    return 2 if any(c.group for c in columns) else 1


def write_header(ws: Worksheet, row: int, columns: Sequence[Column], styles: Styles) -> int:
    """Write the header at `row`; returns the number of header rows (1 or 2).

    With groups: the group name spans its run of columns in the upper row, the column headers
    sit below; ungrouped headers are merged vertically over both rows."""
    fmt = styles.header
    if header_rows(columns) == 1:
        for col, column in enumerate(columns):
            ws.write_string(row, col, column.header, fmt)
        return 1
    runs = _group_runs(columns)
    for first, last, group in runs:
        for col in range(first, last + 1):
            if col == first:
                ws.write_string(row, col, group if group else columns[col].header, fmt)
            else:
                ws.write_blank(row, col, None, fmt)
    for col, column in enumerate(columns):
        if column.group:
            ws.write_string(row + 1, col, column.header, fmt)
        else:
            ws.write_blank(row + 1, col, None, fmt)
    for first, last, group in runs:
        if group and last > first:
            register_merge(ws, row, first, row, last)
        elif not group:
            register_merge(ws, row, first, row + 1, first)
    return 2


def _group_runs(columns: Sequence[Column]) -> list[tuple[int, int, str | None]]:
    """(first, last, group) runs: consecutive columns of one group; each ungrouped column alone."""
    runs: list[tuple[int, int, str | None]] = []
    for col, column in enumerate(columns):
        if column.group and runs and runs[-1][2] == column.group and runs[-1][1] == col - 1:
            runs[-1] = (runs[-1][0], col, column.group)
        else:
            runs.append((col, col, column.group))
    return runs


def register_merge(ws: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """Record a merged range over cells already written (in row order, with their formats).

    XlsxWriter's merge_range() writes the padding cells itself, which constant-memory mode refuses
    for rows already flushed, so a vertical merge of several columns cannot use it. The range is
    recorded the way merge_range() records it; tests read every merge back with openpyxl."""
    ws.merge.append([first_row, first_col, last_row, last_col])


def write_title(ws: Worksheet, row: int, ncols: int, text: str, fmt: Format, height: float) -> None:
    """A title line merged across ncols columns (a single-row merge is fine in constant memory)."""
    ws.set_row(row, height)
    if ncols > 1:
        ws.merge_range(row, 0, row, ncols - 1, "", fmt)
    ws.write_string(row, 0, text, fmt)


def set_widths(ws: Worksheet, columns: Sequence[Column], widths: Sequence[int] | None = None) -> None:
    for col, column in enumerate(columns):
        ws.set_column(col, col, max(widths[col] if widths else column.width, 4))


WIDTH_MIN, WIDTH_MAX, HEADER_WRAP = 6, 60, 16


def fit_widths(columns: Sequence[Column], items: Sequence) -> list[int]:
    """Excel widths that fit the content, CJK characters counted as 2 (XlsxWriter's autofit()
    under-sizes Chinese by about half). Text columns are measured over every value; number
    columns need room for "100.00"; headers wrap, so they count up to HEADER_WRAP only.
    With no items the spec's width is kept for text columns."""
    out = []
    for column in columns:
        header = min(text_width(column.header), HEADER_WRAP)
        if column.kind == "text":
            content = max((text_width(v) for v in (column.value(i) for i in items) if v), default=0)
            content = content if items else column.width - 2
        else:
            content = 6 if column.kind == "num" else 4
        out.append(max(WIDTH_MIN, min(WIDTH_MAX, max(header, content) + 2)))
    return out


@dataclass(frozen=True)
class PrintSetup:
    repeat_from: int
    repeat_to: int
    landscape: bool = True


def set_print(ws: Worksheet, setup: PrintSetup) -> None:
    """A4, landscape, one page wide, header rows repeated, footer "第 N 页，共 M 页"."""
    if setup.landscape:
        ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(setup.repeat_from, setup.repeat_to)
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()


def chinese_date(iso: str) -> str:
    """"2025-03-05" → "2025年3月5日"."""
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def points_text(value: Decimal) -> str:
    """Points as people write them: 100 → "100", 12.50 → "12.5"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@contextlib.contextmanager
def writing(path: str | Path):
    """A file that cannot be written is a refusal the user can act on, not a crash."""
    try:
        yield
    except (OSError, XlsxWriterException) as exc:
        raise ServiceError(f"无法写入文件“{path}”：{exc}", "path") from None
