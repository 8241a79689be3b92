"""Shared pieces of every spreadsheet import: safe opening, cell normalisation, header
matching and the error type that names sheet, row and column."""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import io
import os
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Iterable, Iterator, Sequence

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# The zip guard covers the whole archive, whatever a part is called or where it is stored
# (a sheet may live anywhere the workbook relationships point to):
MAX_ZIP_ENTRIES = 1000                    # parts in the archive
MAX_UNCOMPRESSED = 100 * 1024 * 1024      # all parts together, inflated
MAX_PART = 50 * 1024 * 1024               # any single part, inflated
MAX_RATIO = 100                           # inflated : compressed, per part and for the archive
MAX_ROWS = 20000


@dataclass(frozen=True)
class ImportIssue:
    """One problem in an uploaded file, located so a secretary can find it."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: int | None = None

    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"{get_column_letter(self.column)}列")
        return "".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}：{self.message}" if where else self.message


class ImportFailed(Exception):
    """Raised with every issue found; nothing has been written."""

    def __init__(self, issues: Sequence[ImportIssue]):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


def read_bytes(source: str | bytes | IO[bytes]) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            return fh.read(MAX_UPLOAD_BYTES + 1)
    return source.read(MAX_UPLOAD_BYTES + 1)


ZIP_BOMB_MESSAGE = "文件内容异常（解压后过大），已拒绝导入"


def check_zip(data: bytes, max_total: int = MAX_UNCOMPRESSED,
              too_large: str = ZIP_BOMB_MESSAGE) -> list[zipfile.ZipInfo]:
    """Refuse non-workbooks and zip bombs before any XML parser runs: the part count, every
    part's inflated size and compression ratio, and the inflated size and ratio of the whole
    archive, counting every part (not only xl/worksheets/). The sizes are the declared ones,
    which bound what zipfile will ever inflate (a part inflating past its size is an error).
    Returns the parts; a workbook over max_total is refused with too_large."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFailed([ImportIssue(f"文件超过{MAX_UPLOAD_BYTES // 1024 // 1024}MB，请拆分后再导入")])
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except Exception:  # BadZipFile, but also odd headers (ValueError, EOFError, …)
        raise ImportFailed([ImportIssue("文件不是有效的Excel工作簿（.xlsx），请用Excel另存为.xlsx后再导入")])
    total = sum(i.file_size for i in infos)
    biggest = max((i.file_size for i in infos), default=0)
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if (len(infos) > MAX_ZIP_ENTRIES or total > MAX_UNCOMPRESSED or biggest > MAX_PART
            or worst > MAX_RATIO or total > MAX_RATIO * max(len(data), 1)):
        raise ImportFailed([ImportIssue(ZIP_BOMB_MESSAGE)])
    if total > max_total:
        raise ImportFailed([ImportIssue(too_large)])
    return infos


def open_workbook(source: str | bytes | IO[bytes]):
    """Open an uploaded .xlsx read-only after the zip guard; values, not formulas."""
    data = read_bytes(source)
    check_zip(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:
        raise ImportFailed([ImportIssue("无法读取该Excel文件，请确认文件未损坏且为.xlsx格式")])


def iter_rows(ws, max_rows: int = MAX_ROWS) -> Iterator[tuple[int, tuple]]:
    """Rows as (1-based row number, values), refusing oversized sheets."""
    ws.reset_dimensions()
    for index, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if index > max_rows:
            raise ImportFailed([ImportIssue(f"行数超过{max_rows}行上限", ws.title)])
        yield index, row


def clean_text(value) -> str:
    """A cell as trimmed text; numbers without a spurious '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return " ".join(str(value).replace("\u3000", " ").split())


def is_formula(value) -> bool:
    """A formula cell as openpyxl returns it with data_only=False: "=..." text, or an
    ArrayFormula / DataTableFormula object for array and data-table formulas."""
    if isinstance(value, str):
        return value.startswith("=")
    return isinstance(value, (ArrayFormula, DataTableFormula))


def cell_decimal(value) -> Decimal | None:
    """Blank → None; numbers and numeric text → Decimal; anything else raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("不是有效的数字")
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"“{value}”不是有效的数字")
        return Decimal(repr(value))
    text = str(value).strip().translate(_FULLWIDTH)
    try:
        number = Decimal(text)
    except Exception:
        raise ValueError(f"“{value}”不是有效的数字") from None
    if not number.is_finite():
        raise ValueError(f"“{value}”不是有效的数字")
    return number


_FULLWIDTH = str.maketrans("０１２３４５６７８９．－", "0123456789.-")


def normalise_header(value) -> str:
    text = clean_text(value)
    for ch in " *＊:：()（）\n":
        text = text.replace(ch, "")
    return text


def match_headers(row: Sequence, synonyms: dict[str, Iterable[str]]) -> dict[str, int]:
    """Map field → 0-based column index for every field whose header (or a synonym) is in row."""
    found: dict[str, int] = {}
    cells = [normalise_header(v) for v in row]
    for field, names in synonyms.items():
        wanted = {normalise_header(n) for n in names}
        for index, text in enumerate(cells):
            if text in wanted and field not in found:
                found[field] = index
                break
    return found


# ---------------------------------------------------------------------------
# Helpers shared by the importers in orgs.py, scheme.py, rulebook.py and scores.py.

FORMULA_MESSAGE = "单元格含公式，请粘贴为数值后再导入"
READ_FAILED_MESSAGE = "无法读取该Excel文件，请确认文件未损坏且为.xlsx格式"
MAX_FULL_LOAD_XML = 12 * 1024 * 1024   # all parts of a workbook opened in normal mode, inflated


class IssueCollector:
    """Collects ImportIssues; `fail_if_any()` raises ImportFailed with all of them."""

    def __init__(self) -> None:
        self.issues: list[ImportIssue] = []

    def add(self, message: str, sheet: str | None = None, row: int | None = None,
            column: int | None = None) -> None:
        self.issues.append(ImportIssue(message, sheet, row, column))

    def __bool__(self) -> bool:
        return bool(self.issues)

    def fail_if_any(self) -> None:
        if self.issues:
            raise ImportFailed(self.issues)


def open_workbook_full(source: str | bytes | IO[bytes]):
    """Open a small workbook in normal (not read-only) mode after the zip guard, so that
    merged ranges are known. Only for files that are small by nature (schemes, rulebooks):
    an archive whose parts (all of them, wherever stored) inflate to more than
    MAX_FULL_LOAD_XML bytes is refused before openpyxl reads any of it."""
    data = read_bytes(source)
    check_zip(data, MAX_FULL_LOAD_XML, "文件内容过大，方案文件不应超过数千行，请检查后再导入")
    try:
        return load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except ImportFailed:
        raise
    except Exception:
        raise ImportFailed([ImportIssue(READ_FAILED_MESSAGE)])


def cell_text(value) -> str:
    """A text cell; formulas raise ValueError(FORMULA_MESSAGE)."""
    if is_formula(value):
        raise ValueError(FORMULA_MESSAGE)
    return clean_text(value)


def display_value(value) -> str:
    """How a cell looks to the person who typed it (for messages)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return clean_text(value)


def cell_number(value, label: str = "") -> Decimal | None:
    """cell_decimal with the field named in the message, e.g. 分值“十分”不是有效的数字.
    Blank → None; formulas, booleans, dates and text raise ValueError."""
    if is_formula(value):
        raise ValueError(FORMULA_MESSAGE)
    if isinstance(value, (bool, dt.date, dt.time, dt.timedelta)):
        raise ValueError(f"{label}“{display_value(value)}”不是有效的数字")
    try:
        return cell_decimal(value)
    except ValueError:
        raise ValueError(f"{label}“{display_value(value)}”不是有效的数字") from None


def decimal_places(number: Decimal) -> int:
    """Number of significant decimal places (5.50 → 1, 5 → 0, 1E+2 → 0)."""
    exponent = number.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def format_decimal(number: Decimal) -> str:
    """A Decimal as people write it: 6 → "6", 5.50 → "5.5", 1E+2 → "100"."""
    text = format(number.normalize(), "f")
    return text


_LIST_SEPARATORS = str.maketrans({c: " " for c in "、,，;；/／|｜\n"})


def split_list(text: str) -> list[str]:
    """"日常考核、实地核验" → ["日常考核", "实地核验"] (separators 、,，;；/ and spaces)."""
    return [part for part in str(text).translate(_LIST_SEPARATORS).split() if part]


def match_header_keys(row: Sequence, synonyms: dict[str, Iterable[str]]) -> dict[str, int]:
    """Like match_headers, but compares header_key()s, so "分值（分）" matches 分值."""
    keys = [header_key(v) if not is_formula(v) else "" for v in row]
    found: dict[str, int] = {}
    for field, names in synonyms.items():
        wanted = {header_key(n) for n in names}
        for index, key in enumerate(keys):
            if key in wanted and field not in found:
                found[field] = index
                break
    return found


def header_key(value) -> str:
    """A header cell reduced for matching: remarks in brackets dropped ("分值（分）" → "分值"),
    spaces, stars and colons removed."""
    text = clean_text(value)
    stripped = re.sub(r"[（(][^（()）]*[)）]", "", text)
    return normalise_header(stripped or text)


def row_value(row: Sequence, index: int | None):
    """row[index] or None when the row is short or the column is absent."""
    if index is None or index < 0 or index >= len(row):
        return None
    return row[index]


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@contextlib.contextmanager
def gc_paused():
    """No cyclic garbage collection during a bulk step that allocates many long-lived objects
    (rows of a 10,000-line sheet): otherwise the collector rescans the whole heap several times
    (about 10% of an organisation import). Reference counting still frees everything else;
    the collector is re-enabled only if it was enabled before (nested or concurrent use is safe)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
