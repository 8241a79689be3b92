"""Hostile and broken uploads: every parser answers ImportFailed, quickly, and nothing else."""
from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from scorecard.importers.common import FORMULA_MESSAGE, READ_FAILED_MESSAGE, ImportFailed
from scorecard.importers.orgs import parse_orgs
from scorecard.importers.scheme import parse_scheme
from scorecard.importers.scores import LeafInfo, parse_scores

from .builders import hidden_sheet_workbook, xlsx, zip_bomb

LEAVES = [LeafInfo("1.1", "理论学习", D(10), "direct"), LeafInfo("2.1", "三会一课", D(5), "deduct")]
TARGETS = {"A01": "机关", "1001": "医院"}
APPLICABLE = {"机关": {"1.1", "2.1"}, "医院": {"1.1"}}

PARSERS = {
    "orgs": lambda data: parse_orgs(data, ["ROOT"]),
    "scheme": parse_scheme,
    "scores": lambda data: parse_scores(data, LEAVES, TARGETS, APPLICABLE),
}


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zip_bomb(300)


@pytest.mark.parametrize("name", PARSERS)
def test_zip_bomb_is_refused_before_parsing(name, bomb):
    started = time.monotonic()
    with pytest.raises(ImportFailed) as excinfo:
        PARSERS[name](bomb)
    assert time.monotonic() - started < 2
    assert [i.message for i in excinfo.value.issues] == ["文件内容异常（解压后过大），已拒绝导入"]


@pytest.mark.parametrize("name", PARSERS)
def test_text_file_renamed_xlsx(name, tmp_path):
    path = tmp_path / "组织.xlsx"
    path.write_text("编码,名称\nA,甲\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as excinfo:
        PARSERS[name](str(path))
    assert "不是有效的Excel工作簿" in excinfo.value.issues[0].message


@pytest.mark.parametrize("name", PARSERS)
def test_zip_that_is_not_a_workbook(name):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("hello.txt", "你好")
    with pytest.raises(ImportFailed) as excinfo:
        PARSERS[name](out.getvalue())
    assert "无法读取该Excel文件" in excinfo.value.issues[0].message


def _corrupt_sheet_workbook() -> bytes:
    """A real workbook whose sheet XML has a numeric cell that is not a number."""
    data = xlsx({"Sheet1": [["组织编码", "编码", "名称", "分值"], ["A01", "A", "甲", 1]]})
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<v>1</v>", b"<v>abc</v>")
            dst.writestr(info, content)
    return out.getvalue()


@pytest.mark.parametrize("name", PARSERS)
def test_reader_error_inside_a_sheet(name):
    with pytest.raises(ImportFailed) as excinfo:
        PARSERS[name](_corrupt_sheet_workbook())
    assert "无法读取该Excel文件" in excinfo.value.issues[0].message


def test_formula_cells_are_refused_everywhere():
    with pytest.raises(ImportFailed) as excinfo:
        parse_orgs(xlsx({"组织": [["编码", "名称"], ["A", "=B1"]]}))
    assert [(i.message, i.row, i.column) for i in excinfo.value.issues] == [(FORMULA_MESSAGE, 2, 2)]
    with pytest.raises(ImportFailed) as excinfo:
        parse_scheme(xlsx({"指标": [["编码", "名称", "分值"], ["A", "甲", "=SUM(1,2)"]]}))
    assert [(i.message, i.row, i.column) for i in excinfo.value.issues] == [(FORMULA_MESSAGE, 2, 3)]
    with pytest.raises(ImportFailed) as excinfo:
        parse_scores(xlsx({"评分": [["t"], ["组织编码", "1.1 理论学习"], ["A01", "=10"]]}), LEAVES, TARGETS,
                     APPLICABLE)
    assert [(i.message, i.row, i.column) for i in excinfo.value.issues] == [(FORMULA_MESSAGE, 3, 2)]


def test_array_formula_is_a_formula():
    from openpyxl.worksheet.formula import ArrayFormula

    wb = Workbook()
    ws = wb.active
    ws.title = "组织"
    ws.append(["编码", "名称"])
    ws["A2"] = "A"
    ws["B2"] = ArrayFormula("B2:B2", "=UPPER(\"a\")")
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ImportFailed) as excinfo:
        parse_orgs(out.getvalue())
    assert [(i.message, i.row, i.column) for i in excinfo.value.issues] == [(FORMULA_MESSAGE, 2, 2)]


def test_workbook_without_rows_in_every_parser():
    empty = xlsx({"Sheet1": []})
    for parser in PARSERS.values():
        with pytest.raises(ImportFailed):
            parser(empty)


# --- property: random small bad workbooks never crash a parser ------------------------

WORDS = [
    "编码", "名称", "上级编码", "类别", "片组", "组织编码", "组织名称", "备注", "满分", "分值", "一级指标",
    "二级指标", "三级指标", "考核项目", "考核内容", "评分标准", "标准分", "考核方式", "计分类型", "计分参数",
    "等次", "最低分", "名额比例(%)", "项目", "值", "折算", "并列排序依据", "一票否决封顶等次", "类型", "加分",
    "减分", "合计", "小计", "一、政治建设（20分）", "（4分）", "好的班子（16分）", "1.1 理论学习",
    "2.1 三会一课", "1.1", "2.1", "A01", "1001", "ROOT", "扣分", "计次", "每次=2", "档次", "好=二成",
    "2.1：原因；1.1:另一个", "十分", "-3", "1e999", "5分", "=1+1", "=SUM(A1:A3)", "", " ", "附件1", "一",
]
cells = st.one_of(
    st.none(),
    st.sampled_from(WORDS),
    st.integers(min_value=-10**6, max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), max_size=8),
)
SHEET_NAMES = ["指标", "加减分项", "等次", "设置", "评分", "组织", "Sheet", "细则"]


def _seeds():
    """Valid sheets of every format, to be damaged at random (reaches the deep code paths)."""
    from .test_rulebook import LAYOUT1, LAYOUT2, LAYOUT3, LAYOUT4, LAYOUT5
    from .test_scheme_template import INDICATORS, ITEMS, SETTINGS, TIERS
    from .test_scores import FULL, HEADER, TITLE

    orgs = [["编码", "名称", "上级编码", "类别"], ["ROOT", "工委", None, None], ["A", "甲", "ROOT", "机关"],
            ["B", "乙", "A", "机关"]]
    scores = [TITLE, ["组织编码", "组织名称", "1.1 理论学习", "2.1 三会一课", "备注"], FULL[:4],
              ["A01", "甲", 9, 4, "2.1：缺1次"], [1001, "医院", 10, None, None]]
    return [("细则", LAYOUT1), ("细则", LAYOUT2), ("细则", LAYOUT3), ("细则", LAYOUT4), ("细则", LAYOUT5),
            ("指标", INDICATORS), ("加减分项", ITEMS), ("等次", TIERS), ("设置", SETTINGS),
            ("组织", orgs), ("评分", scores), ("评分", [TITLE, HEADER, FULL])]


SEEDS = _seeds()


@st.composite
def workbooks(draw) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    seeded = draw(st.lists(st.sampled_from(range(len(SEEDS))), max_size=2, unique=True))
    for index in seeded:
        name, rows = SEEDS[index]
        if name in wb.sheetnames:
            continue
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        for _ in range(draw(st.integers(0, 4))):  # damage a few cells
            r, c = draw(st.integers(1, len(rows) + 1)), draw(st.integers(1, 8))
            ws.cell(r, c, draw(cells))
    names = draw(st.lists(st.sampled_from(SHEET_NAMES), max_size=2 if seeded else 3, min_size=0 if seeded else 1,
                          unique=True))
    for name in names:
        if name in wb.sheetnames:
            continue
        ws = wb.create_sheet(name)
        height = draw(st.integers(0, 8))
        width = draw(st.integers(1, 7))
        for r in range(1, height + 1):
            for c in range(1, width + 1):
                value = draw(cells)
                if value is not None:
                    ws.cell(r, c, value)
    for ws in wb.worksheets:
        for _ in range(draw(st.integers(0, 3))):
            r1, c1 = draw(st.integers(1, 9)), draw(st.integers(1, 8))
            r2, c2 = r1 + draw(st.integers(0, 3)), c1 + draw(st.integers(0, 3))
            if (r2, c2) != (r1, c1):
                try:
                    ws.merge_cells(f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}")
                except Exception:
                    pass
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=workbooks())
def test_random_workbooks_never_crash(data):
    """Each parser returns or raises ImportFailed with located, non-empty messages. These files
    are valid workbooks, so the catch-all "cannot read" answer (which would hide a bug in the
    parsers behind ImportFailed) must never appear."""
    for parser in PARSERS.values():
        try:
            parser(data)
        except ImportFailed as exc:
            assert exc.issues and all(i.message for i in exc.issues)
            assert READ_FAILED_MESSAGE not in [i.message for i in exc.issues]


# --- XML entity bombs, size and row limits, every kind of bad cell (security review) ------------

from scorecard.importers.votes import VoteContext, parse_votes  # noqa: E402

VOTE_CTX = VoteContext(targets={"A01": ("甲", "机关", True)}, leaves={"3.1": ("民主测评", ["好", "较好", "一般", "差"])},
                       applicable={"机关": {"3.1"}})
ALL_PARSERS = {**PARSERS, "votes": lambda data: parse_votes(data, VOTE_CTX)}

LAUGHS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          b'<!DOCTYPE sst [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
          b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
          b'<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">'
          b'<!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;"><!ENTITY j "&i;&i;&i;&i;&i;&i;&i;&i;&i;&i;">]>\n'
          b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
          b'<si><t>&j;</t></si></sst>')


def _replace_part(data: bytes, name: str, content: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, content if info.filename == name else src.read(info.filename))
    return out.getvalue()


def shared_strings_xlsx(sheets: dict[str, list[list]]) -> bytes:
    """Like builders.xlsx, but written by XlsxWriter, which stores text in xl/sharedStrings.xml
    (openpyxl writes inline strings)."""
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    for title, rows in sheets.items():
        ws = wb.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                ws.write(r, c, value)
    wb.close()
    data = out.getvalue()
    assert "xl/sharedStrings.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    return data


def billion_laughs() -> bytes:
    data = shared_strings_xlsx({"组织": [["编码", "名称"], ["A", "甲"]], "指标": [["编码", "名称", "分值"]],
                                "评分": [["组织编码", "1.1 理论学习"], ["A01", 1]]})
    return _replace_part(data, "xl/sharedStrings.xml", LAUGHS)


@pytest.mark.parametrize("name", ALL_PARSERS)
def test_billion_laughs_in_shared_strings(name):
    """defusedxml / expat refuse the entity expansion: ImportFailed in well under a second."""
    data = billion_laughs()
    started = time.monotonic()
    with pytest.raises(ImportFailed) as excinfo:
        ALL_PARSERS[name](data)
    assert time.monotonic() - started < 2
    assert excinfo.value.issues[0].message == READ_FAILED_MESSAGE


def test_external_entity_is_not_resolved(tmp_path):
    """XXE: a SYSTEM entity pointing at a local file must never reach the parsed values."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    xxe = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE sst [<!ENTITY x SYSTEM "file://'
           + str(secret).encode() + b'">]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
           b' count="1" uniqueCount="1"><si><t>&x;</t></si></sst>')
    data = _replace_part(shared_strings_xlsx({"组织": [["编码", "名称"], ["A", "甲"]]}), "xl/sharedStrings.xml", xxe)
    with pytest.raises(ImportFailed) as excinfo:
        parse_orgs(data)
    assert "TOPSECRET" not in str(excinfo.value)


@pytest.mark.parametrize("name", ALL_PARSERS)
def test_file_over_the_size_limit(name):
    from scorecard.importers.common import MAX_UPLOAD_BYTES

    data = b"PK" + b"\0" * MAX_UPLOAD_BYTES
    with pytest.raises(ImportFailed) as excinfo:
        ALL_PARSERS[name](data)
    assert "文件超过20MB" in excinfo.value.issues[0].message


def test_too_many_entries_in_the_zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for i in range(1001):
            zf.writestr(f"x/{i}.xml", "")
    with pytest.raises(ImportFailed) as excinfo:
        parse_orgs(out.getvalue())
    assert "解压后过大" in excinfo.value.issues[0].message


@pytest.fixture(scope="module")
def too_many_rows() -> bytes:
    from scorecard.importers.common import MAX_ROWS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("组织")
    ws.append(["编码", "名称", "上级编码"])
    for i in range(MAX_ROWS + 1):
        ws.append([f"X{i}", "单位", "ROOT"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_row_limit(too_many_rows):
    started = time.monotonic()
    with pytest.raises(ImportFailed) as excinfo:
        parse_orgs(too_many_rows, ["ROOT"])
    assert "行数超过20000行上限" in excinfo.value.issues[0].message
    assert time.monotonic() - started < 10


BAD_CELLS = [
    ("#DIV/0!", "error value"), ("#N/A", "error value"), (True, "boolean"),
    (dt.datetime(2025, 1, 1), "date"), (1e308, "huge"), (-5, "negative"), (10.001, "too many decimals"),
    ("十", "Chinese numeral"), ("x" * 5000, "very long text"), (11, "over the maximum"),
    ("=HYPERLINK(\"http://x\")", "formula"), ("<script>alert(1)</script>", "markup"), ("10分", "unit suffix"),
]


@pytest.mark.parametrize("value, label", BAD_CELLS, ids=[b[1] for b in BAD_CELLS])
def test_bad_score_cells_are_located(value, label):
    """Every kind of bad score cell: ImportFailed naming sheet, row and column (or accepted when the
    value is a legitimate number within range)."""
    data = xlsx({"评分": [["t"], ["组织编码", "1.1 理论学习"], ["A01", value]]})
    try:
        parse_scores(data, LEAVES, TARGETS, APPLICABLE)
    except ImportFailed as exc:
        assert exc.issues and all(i.message for i in exc.issues)
        assert any((i.sheet, i.row, i.column) == ("评分", 3, 2) for i in exc.issues), [str(i) for i in exc.issues]
    else:
        raise AssertionError(f"{label} {value!r} was accepted as a score")


@pytest.mark.parametrize("value, label", BAD_CELLS, ids=[b[1] for b in BAD_CELLS])
def test_bad_org_cells_never_crash(value, label):
    data = xlsx({"组织": [["编码", "名称", "上级编码"], [value, value, "ROOT"]]})
    try:
        rows = parse_orgs(data, ["ROOT"])
    except ImportFailed as exc:
        assert exc.issues and all(i.message and i.row == 2 for i in exc.issues), [str(i) for i in exc.issues]
    else:
        assert all(r.code and r.name for r in rows)
        assert all(len(r.name) <= 100 and "\x07" not in r.name for r in rows)


# A sheet stored outside xl/worksheets/ (the workbook relationships point to it), highly
# compressible but under the per-part ratio: the guard must count every part of the archive.

@pytest.fixture(scope="module")
def hidden_sheet_10mb() -> bytes:
    return hidden_sheet_workbook(10)   # ~10.5 MB upload inflating to ~115 MB, ratio ~11


@pytest.mark.parametrize("name", ALL_PARSERS)
def test_hidden_sheet_outside_worksheets_is_refused_before_parsing(name, hidden_sheet_10mb):
    import tracemalloc

    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(ImportFailed) as excinfo:
            ALL_PARSERS[name](hidden_sheet_10mb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [i.message for i in excinfo.value.issues] == ["文件内容异常（解压后过大），已拒绝导入"]
    assert time.monotonic() - started < 2
    assert peak < 3 * len(hidden_sheet_10mb)   # the upload itself, not its inflated parts


@pytest.mark.parametrize("where", ["xl/data/sheet1.xml", "customXml/item9.xml", "xl/worksheetsx/s.xml"])
def test_scheme_full_load_counts_every_part(where):
    """A scheme/rulebook is opened in normal mode: the whole archive must be small, wherever
    its sheet is stored (formerly only xl/worksheets/ was counted and this loaded in full)."""
    data = hidden_sheet_workbook(1.5, where)   # ~17 MB inflated: over MAX_FULL_LOAD_XML
    started = time.monotonic()
    with pytest.raises(ImportFailed) as excinfo:
        parse_scheme(data)
    assert time.monotonic() - started < 2
    assert [i.message for i in excinfo.value.issues] == ["文件内容过大，方案文件不应超过数千行，请检查后再导入"]


def test_one_oversized_part_is_refused():
    from scorecard.importers.common import MAX_PART

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/media/big.bin", "w", force_zip64=True) as entry:
            import random
            rnd = random.Random(1)
            chunk = bytes(rnd.getrandbits(8) for _ in range(4096)) * 16   # compresses ~16x
            for _ in range(MAX_PART // len(chunk) + 1):
                entry.write(chunk)
    with pytest.raises(ImportFailed) as excinfo:
        parse_orgs(out.getvalue())
    assert excinfo.value.issues[0].message == "文件内容异常（解压后过大），已拒绝导入"
