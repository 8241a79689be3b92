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


def hidden_sheet_workbook(target_mb: float = 10, where: str = "xl/data/sheet1.xml",
                          compresslevel: int = 1) -> bytes:
    """A real workbook whose only sheet is stored outside xl/worksheets/ (the workbook
    relationships point to it) and holds highly compressible rows: about `target_mb` MB of zip
    that inflates to many times that (each part's ratio stays under the per-part guard)."""
    base = xlsx({"方案": [["序号", "指标名称", "分值"]]})
    src = zipfile.ZipFile(io.BytesIO(base))
    row = ('<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>指标{r}</t></is></c>'
           '<c r="B{r}" t="inlineStr"><is><t>理论学习制度落实情况理论学习制度落实情况</t></is></c>'
           '<c r="C{r}"><v>{r}</v></c></row>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                with zf.open(where, "w", force_zip64=True) as entry:
                    entry.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
                                b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                    r = 1
                    while out.tell() < target_mb * 1024 * 1024:
                        entry.write("".join(row.format(r=r + i) for i in range(2000)).encode())
                        r += 2000
                    entry.write(b"</sheetData></worksheet>")
                continue
            if info.filename in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                content = content.replace(b"/xl/worksheets/sheet1.xml", b"/" + where.encode())
                content = content.replace(b'"worksheets/sheet1.xml"', b'"/' + where.encode() + b'"')
            zf.writestr(info.filename, content)
    return out.getvalue()
