"""The shared writer: safe options, value kinds, two-row headers, widths, determinism."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from scorecard.exports.columns import Column
from scorecard.exports.xlsx import (
    Styles,
    chinese_date,
    new_workbook,
    safe_sheet_name,
    text_width,
    write_header,
    write_table,
)
from tests.exports.conftest import read_bytes, sheet_xml

HOSTILE = ["=1+1", "@SUM(1)", "+1", "-1", "http://x.invalid", "external:c:\\x", "{=1+1}", "\t=1+1",
           "mailto:a@b.invalid", "001", "1e5"]

COLUMNS = [
    Column("name", "名称", "text", 20, lambda r: r["name"]),
    Column("rank", "排名", "int", 6, lambda r: r["rank"]),
    Column("a", "甲（40分）", "num", 10, lambda r: r["a"], group="一级指标得分"),
    Column("b", "乙（60分）", "num", 10, lambda r: r["b"], group="一级指标得分"),
    Column("note", "备注", "text", 30, lambda r: r["note"]),
]


def _write(path, items, created=None):
    wb = new_workbook(path, created=created, title="测试")
    styles = Styles(wb)
    ws = wb.add_worksheet("表")
    levels = write_header(ws, 0, COLUMNS, styles)
    write_table(ws, levels, COLUMNS, items, styles)
    wb.close()


def test_text_width_counts_cjk_double():
    assert text_width("abc") == 3
    assert text_width("党建考核") == 8
    assert text_width("A党（1分）") == 1 + 2 + 2 + 1 + 2 + 2
    assert text_width("") == 0


def test_chinese_date():
    assert chinese_date("2025-03-05") == "2025年3月5日"
    assert chinese_date("2025-12-31") == "2025年12月31日"


@pytest.mark.parametrize("raw, expected", [
    ("机关", "机关"),
    ("a/b\\c[d]e:f*g?h", "a_b_c_d_e_f_g_h"),
    ("党" * 40, "党" * 31),
    ("'引号'", "引号"),
    ("   ", "工作表"),
    ("History", "History(2)"),
])
def test_safe_sheet_name(raw, expected):
    assert safe_sheet_name(raw) == expected


def test_safe_sheet_name_is_unique_case_insensitive():
    assert safe_sheet_name("总体", ["总体"]) == "总体(2)"
    assert safe_sheet_name("abc", ["ABC", "abc(2)"]) == "abc(3)"
    long = "党" * 31
    name = safe_sheet_name(long, [long])
    assert len(name) == 31 and name.endswith("(2)")


def test_values_by_kind_and_hostile_text_stays_text(tmp_path):
    path = tmp_path / "t.xlsx"
    items = [{"name": h, "rank": i + 1, "a": Decimal("12.345"), "b": None, "note": h}
             for i, h in enumerate(HOSTILE)]
    items.append({"name": "负数", "rank": 99, "a": Decimal("-3"), "b": 7, "note": ""})
    _write(path, items)
    ws = openpyxl.load_workbook(path)["表"]
    for i, h in enumerate(HOSTILE, start=3):
        assert ws.cell(i, 1).value == h and ws.cell(i, 1).data_type == "s"
        assert ws.cell(i, 5).value == h
        assert ws.cell(i, 2).value == i - 2 and isinstance(ws.cell(i, 2).value, int)
        assert ws.cell(i, 3).value == pytest.approx(12.345) and ws.cell(i, 3).number_format == "0.00"
        assert ws.cell(i, 4).value is None and ws.cell(i, 4).border.left.style == "thin"
    last = 3 + len(HOSTILE)
    assert ws.cell(last, 3).value == -3 and ws.cell(last, 3).data_type == "n"
    assert ws.cell(last, 4).value == 7
    xml = sheet_xml(path, "表")
    assert "<f>" not in xml and "<f " not in xml and "<hyperlink" not in xml
    with zipfile.ZipFile(path) as z:
        assert not [n for n in z.namelist() if n.startswith("xl/worksheets/_rels/")]


def test_two_row_header_merges_and_styles(tmp_path):
    path = tmp_path / "h.xlsx"
    _write(path, [])
    ws = openpyxl.load_workbook(path)["表"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert merged == {"A1:A2", "B1:B2", "C1:D1", "E1:E2"}
    assert [ws.cell(1, c).value for c in range(1, 6)] == ["名称", "排名", "一级指标得分", None, "备注"]
    assert [ws.cell(2, c).value for c in range(1, 6)] == [None, None, "甲（40分）", "乙（60分）", None]
    head = ws.cell(1, 1)
    assert head.fill.fgColor.rgb == "FFC00000"
    assert head.font.b and head.font.color.rgb == "FFFFFFFF" and head.font.name == "宋体"
    assert head.alignment.wrap_text and head.border.top.style == "thin"
    xml = sheet_xml(path, "表")
    assert re.search(r'<c r="A2" s="(\d+)"/>', xml).group(1) == re.search(r'<c r="A1" s="(\d+)"', xml).group(1)


def test_single_row_header_when_no_groups(tmp_path):
    path = tmp_path / "s.xlsx"
    wb = new_workbook(path)
    styles = Styles(wb)
    ws = wb.add_worksheet("表")
    cols = [c for c in COLUMNS if not c.group]
    assert write_header(ws, 0, cols, styles) == 1
    wb.close()
    ws = openpyxl.load_workbook(path)["表"]
    assert not ws.merged_cells.ranges
    assert [c.value for c in ws[1]] == ["名称", "排名", "备注"]


def test_fixed_properties_and_byte_identical(tmp_path):
    items = [{"name": "甲", "rank": 1, "a": Decimal("1.5"), "b": Decimal("2"), "note": "x"}]
    _write(tmp_path / "1.xlsx", items, created=dt.date(2025, 3, 5))
    _write(tmp_path / "2.xlsx", items, created=dt.date(2025, 3, 5))
    assert read_bytes(tmp_path / "1.xlsx") == read_bytes(tmp_path / "2.xlsx")
    props = openpyxl.load_workbook(tmp_path / "1.xlsx").properties
    assert props.created == dt.datetime(2025, 3, 5) and props.title == "测试"
    with zipfile.ZipFile(tmp_path / "1.xlsx") as z:
        stamps = {i.date_time for i in z.infolist()}
    assert len(stamps) == 1 and next(iter(stamps))[0] == 1980
    _write(tmp_path / "3.xlsx", items)
    assert openpyxl.load_workbook(tmp_path / "3.xlsx").properties.created == dt.datetime(2000, 1, 1)


SCRIPT = """
import datetime as dt, sys
from decimal import Decimal
from tests.exports.test_xlsx import _write
_write(sys.argv[1], [{"name": "甲", "rank": 1, "a": Decimal("1.5"), "b": None, "note": "=1"}],
       created=dt.date(2025, 3, 5))
"""


def test_byte_identical_across_processes_time_zones_and_umask(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
    outputs = []
    for tz, umask in (("UTC", "022"), ("America/New_York", "077"), ("Asia/Shanghai", "000")):
        out = tmp_path / f"{umask}.xlsx"
        env = {**os.environ, "TZ": tz, "PYTHONPATH": root}
        subprocess.run(["sh", "-c", f'umask {umask} && exec "$0" -c "$1" "$2"', sys.executable, SCRIPT, str(out)],
                       env=env, cwd=root, check=True)
        outputs.append(read_bytes(out))
    assert outputs[0] == outputs[1] == outputs[2]
