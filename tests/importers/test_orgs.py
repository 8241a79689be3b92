"""Organisation import: happy paths, every row check, odd cells."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from scorecard.importers.common import FORMULA_MESSAGE, ImportFailed
from scorecard.importers.orgs import OrgRow, parse_orgs

from .builders import at, find, xlsx

HEADER = ["编码", "名称", "上级编码", "类别", "片组", "组织类型"]


def fail(sheets, existing=()):
    with pytest.raises(ImportFailed) as excinfo:
        parse_orgs(xlsx(sheets), existing)
    return excinfo.value.issues


def test_happy_path_children_before_parents_in_file_are_reordered(tmp_path):
    rows = [
        ["昌吉州直属机关组织机构导入表"],
        HEADER,
        ["CJ01-1", "州财政局机关第一党支部", "CJ01", None, None, "党支部"],
        ["CJ01", "州财政局机关党委", "CJ", "党政机关", "第一片组", "党委"],
        [],
        ["CJ", "昌吉州党委直属机关工委", None, None, None, "党工委"],
        [1001, "州人民医院党委", "CJ", "医疗卫生", "第二片组", None],
    ]
    data = xlsx({"Sheet1": rows})
    path = tmp_path / "orgs.xlsx"
    path.write_bytes(data)
    for source in (data, str(path), io.BytesIO(data)):
        result = parse_orgs(source)
        assert [r.code for r in result] == ["CJ", "CJ01", "CJ01-1", "1001"]
        assert result[1] == OrgRow(4, "CJ01", "州财政局机关党委", "CJ", "党政机关", "第一片组", "党委")
        assert result[3] == OrgRow(7, "1001", "州人民医院党委", "CJ", "医疗卫生", "第二片组", None)
        assert result[2].category is None and result[2].group is None


def test_synonyms_sheet_named_org_and_existing_parents():
    rows = [
        ["组织编码", "党组织名称", "上级组织编码", "考核类别", "党建片组", "类型", "联系人"],
        ["A1", "第一支部", "ROOT", "机关", "一片", "党支部", "张三"],
        ["A2", " 第二　支部 ", "A1", None, None, None, None],
    ]
    result = parse_orgs(xlsx({"说明": [["请填写组织表"]], "组织": rows}), existing_codes=["ROOT"])
    assert [(r.code, r.name, r.parent_code, r.category, r.group, r.kind) for r in result] == [
        ("A1", "第一支部", "ROOT", "机关", "一片", "党支部"),
        ("A2", "第二 支部", "A1", None, None, None),
    ]


def test_header_may_have_remarks_and_stars():
    rows = [["单位编码*", "单位名称（全称）", "上级代码"], ["X", "某单位", None]]
    assert parse_orgs(xlsx({"S": rows}))[0].name == "某单位"


def test_duplicate_code():
    issues = fail({"组织": [HEADER, ["A", "甲", None], ["B", "乙", None], [], ["A", "丙", None]]})
    assert at(find(issues, "组织编码重复（与第2行相同）")) == ("组织", 5, 1)


def test_unknown_parent_self_parent_and_cycle():
    rows = [
        HEADER,
        ["A", "甲", "CJ999"],
        ["B", "乙", "B"],
        ["C", "丙", "D"],
        ["D", "丁", "E"],
        ["E", "戊", "C"],
        ["F", "己", "C"],
    ]
    issues = fail({"组织": rows})
    assert at(find(issues, "上级编码“CJ999”不存在")) == ("组织", 2, 3)
    assert at(find(issues, "上级编码“B”不能是本组织自身")) == ("组织", 3, 3)
    assert at(find(issues, "上级编码形成循环：C → D → E → C")) == ("组织", 4, 3)
    assert len(issues) == 3


def test_required_fields_and_lengths():
    rows = [
        HEADER,
        [None, "无编码", None],
        ["X1", None, None],
        ["X" * 33, "长编码", None],
        ["X2", "名" * 101, None],
        ["X3", "片组太长", None, None, "片" * 51],
    ]
    issues = fail({"组织": rows})
    assert at(find(issues, "编码不能为空")) == ("组织", 2, 1)
    assert at(find(issues, "名称不能为空")) == ("组织", 3, 2)
    assert at(find(issues, "编码超过32个字符")) == ("组织", 4, 1)
    assert at(find(issues, "名称超过100个字符")) == ("组织", 5, 2)
    assert at(find(issues, "片组超过50个字符")) == ("组织", 6, 5)
    assert len(issues) == 5


def test_odd_cells_formula_date_bool():
    rows = [
        HEADER,
        ["A", "=CONCAT(\"甲\",\"乙\")", None],
        [dt.datetime(2025, 1, 6), "日期编码", None],
        ["B", "乙", True],
        [1001.0, 1002, None],  # numbers are fine as text
    ]
    issues = fail({"组织": rows})
    assert at(find(issues, FORMULA_MESSAGE)) == ("组织", 2, 2)
    date_issue = [i for i in issues if i.message.startswith("编码不能是日期或逻辑值")]
    assert [at(i) for i in date_issue] == [("组织", 3, 1)]
    assert at(find(issues, "上级编码不能是日期或逻辑值")) == ("组织", 4, 3)
    assert len(issues) == 3


def test_numeric_codes_become_text():
    result = parse_orgs(xlsx({"组织": [HEADER, [1001, "甲", None], [1002.0, "乙", 1001]]}))
    assert [(r.code, r.parent_code) for r in result] == [("1001", None), ("1002", "1001")]


def test_missing_header_empty_sheet_and_no_rows():
    issues = fail({"组织": [["编号", "单位"], ["A", "甲"]]})
    assert [str(i) for i in issues] == ["工作表「组织」：未找到表头：需要包含“编码”和“名称”列（前10行内）"]
    issues = fail({"组织": []})
    assert "未找到表头" in issues[0].message
    issues = fail({"组织": [HEADER, [], []]})
    assert [i.message for i in issues] == ["没有读取到任何组织，请在表头下方逐行填写"]


def test_header_beyond_first_ten_rows_is_not_found():
    rows = [["说明"]] * 10 + [HEADER, ["A", "甲"]]
    assert "未找到表头" in fail({"组织": rows})[0].message


ODD_ROWS = [  # every kind of cell the fast path for plain text rows must hand over or match
    HEADER,
    ["A", " 甲　 单位 ", "  ", "\u3000", None, "党支部"],
    ["B", "乙", "A", "类" * 50, "片" * 50, None],
    ["C", "丙", "A", "类" * 51, None, None],
    ["   ", "无编码", None],
    ["D", "   ", None],
    ["\u3000", " ", None, None, None, "  "],
    ["E", "=A1", None],
    [1003, "数字编码", "A"],
    ["F", "戊", dt.date(2025, 1, 1)],
    ["G", "己", "A", None, None, True],
    ["H", "庚"],
    ["X" * 33, "长编码", None],
]


@pytest.mark.parametrize("rows", [ODD_ROWS, ODD_ROWS[:4] + ODD_ROWS[9:10] + ODD_ROWS[12:13]])
def test_plain_row_fast_path_gives_what_the_cell_checks_give(monkeypatch, rows):
    import scorecard.importers.orgs as orgs_importer

    def outcome():
        try:
            return parse_orgs(xlsx({"组织": rows}))
        except ImportFailed as exc:
            return [str(i) for i in exc.issues]

    fast = outcome()
    monkeypatch.setattr(orgs_importer, "_plain_row", lambda number, values, columns: None)
    assert outcome() == fast
    assert fast  # either rows or messages, never nothing


def test_plain_row_fast_path_values():
    result = parse_orgs(xlsx({"组织": [HEADER, ["A", " 甲　 单位 ", "  ", "\u3000", None, "党支部"],
                                       [], ["B", "乙", "A", "类" * 50, "片" * 50, None]]}))
    assert result == [OrgRow(2, "A", "甲 单位", None, None, None, "党支部"),
                      OrgRow(4, "B", "乙", "A", "类" * 50, "片" * 50, None)]


def test_gc_is_enabled_again_after_a_failed_parse():
    import gc

    assert gc.isenabled()
    fail({"组织": [HEADER, ["A", None]]})
    assert gc.isenabled()
    gc.disable()
    try:
        parse_orgs(xlsx({"组织": [HEADER, ["A", "甲"]]}))
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
