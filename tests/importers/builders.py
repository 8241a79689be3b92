"""Workbook builders for the importer tests (openpyxl, in memory)."""
from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

from scorecard.importers.common import ImportFailed


def xlsx(sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None,
         formats: dict[str, dict[str, str]] | None = None) -> bytes:
    """sheets: title → rows (lists of values, row 1 first); merges: title → ["A1:C1", …];
    formats: title → {"C2": "0%"} number formats."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        for ref in (merges or {}).get(title, []):
            ws.merge_cells(ref)
        for ref, fmt in (formats or {}).get(title, {}).items():
            ws[ref].number_format = fmt
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def zip_bomb(declared_mb: int = 300) -> bytes:
    """A zip whose single worksheet entry inflates to `declared_mb` MB of zeros."""
    out = io.BytesIO()
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            for _ in range(declared_mb):
                entry.write(chunk)
    return out.getvalue()


def issues_of(excinfo_or_exc) -> list:
    exc = getattr(excinfo_or_exc, "value", excinfo_or_exc)
    assert isinstance(exc, ImportFailed)
    return exc.issues


def find(issues, fragment: str):
    """The single issue whose message contains fragment (fails loudly otherwise)."""
    hits = [i for i in issues if fragment in i.message]
    assert hits, f"no issue containing {fragment!r} in {[str(i) for i in issues]}"
    assert len(hits) == 1, f"several issues contain {fragment!r}: {[str(i) for i in hits]}"
    return hits[0]


def at(issue) -> tuple:
    return issue.sheet, issue.row, issue.column
