"""Score template: layout read back, export → fill → import round trip, all-or-nothing errors."""
from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from scorecard.exports.score_template import export_score_template, write_score_template
from scorecard.importers.common import ImportFailed
from scorecard.models import Score
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.rounds import lifecycle as rounds
from scorecard.services.rounds.ranking import compute_ranking
from scorecard.services.scoring.exchange import ImportResult, import_score_file
from tests.exports.conftest import HOSTILE_NAME, URL_NAME, sheet_xml

HEADER = ["组织编码", "组织名称", "类别", "1.1 第一议题", "1.2 三会一课", "2.1 主题党日", "2.2 医德医风",
          "2.3 机关作风", "备注"]
COL = {code: 4 + i for i, code in enumerate(["1.1", "1.2", "2.1", "2.2", "2.3"])}
NOTE = 9


def score_table(session):
    rows = session.scalars(select(Score).order_by(Score.id)).all()
    return [(s.id, s.target_id, s.indicator_id, s.assessor_id, s.points, s.input, s.comment, s.version)
            for s in rows]


def export(world, tmp_path, user="assessor", name="t.xlsx"):
    path = tmp_path / name
    export_score_template(world.session, world.w[user], world.rnd, path)
    return path


def fill(path, values: dict, notes: dict | None = None, extra_rows=()) -> bytes:
    """values {(org_code, leaf): value}; returns the saved workbook bytes."""
    wb = openpyxl.load_workbook(path)
    ws = wb["评分"]
    row_of = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1)}
    col_of = {str(c.value).split()[0]: c.column for c in ws[2] if c.value}
    for (org, leaf), value in values.items():
        ws.cell(row_of[org], col_of[leaf]).value = value
    for org, text in (notes or {}).items():
        ws.cell(row_of[org], col_of["备注"]).value = text
    for row in extra_rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_layout(scored, tmp_path):
    path = export(scored, tmp_path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["评分", "填写说明"]
    ws = wb["评分"]
    assert ws["A1"].value == "R1轮考核评分表（考核员：assessor）"
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:I1"}
    assert [c.value for c in ws[2]] == HEADER
    assert [c.value for c in ws[3]] == [None, "满分", None, 40, 20, 30, 10, 10, None]
    assert ws["A2"].fill.fgColor.rgb == "FFC00000" and ws["A2"].font.b
    assert [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)] == ["A", "B", "C", "X1", "X2"]
    assert ws["B7"].value == HOSTILE_NAME and ws["B8"].value == URL_NAME
    # prefilled with the assessor's own scores; reasons and comments in 备注
    assert [ws.cell(4, c).value for c in range(4, 10)] == [40, 16, 30, None, 10, "1.2：未按期召开支委会"]
    assert ws.cell(5, NOTE).value == "1.1：学习记录不全"
    assert ws.cell(8, NOTE).value == "1.2：@SUM(1)"
    # 2.2 applies to 医疗卫生 only, 2.3 to 机关 only: grey and empty elsewhere
    assert ws.cell(4, COL["2.2"]).fill.fgColor.rgb == "FFD9D9D9" and ws.cell(4, COL["2.2"]).value is None
    assert ws.cell(6, COL["2.3"]).fill.fgColor.rgb == "FFD9D9D9"
    assert ws.cell(6, COL["2.2"]).fill.fill_type is None
    assert ws.cell(4, COL["1.1"]).number_format == "0.00"
    assert ws.freeze_panes == "D4"
    rules = {(str(dv.sqref), dv.type, dv.formula1, dv.formula2) for dv in ws.data_validations.dataValidation}
    assert rules == {("D4:D8", "decimal", "0", "40"), ("E4:E8", "decimal", "0", "20"),
                     ("F4:F8", "decimal", "0", "30"), ("G6", "decimal", "0", "10"), ("G8", "decimal", "0", "10"),
                     ("H4:H5", "decimal", "0", "10"), ("H7", "decimal", "0", "10")}
    help_text = "\n".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value)
    for part in ("留空表示“未评分”", "0到满分", "2.1：未按期召开组织生活会；3.2：台账不完整", "扣分原因"):
        assert part in help_text
    xml = sheet_xml(path, "评分")
    assert "<f>" not in xml and "<hyperlink" not in xml


def test_round_trip_fresh_scores(world, tmp_path):
    path = export(world, tmp_path)
    data = fill(path, {("A", "1.1"): 38, ("A", "1.2"): 18, ("A", "2.1"): 27, ("A", "2.3"): 9.5,
                       ("C", "2.2"): "8", ("X2", "1.1"): 0},
                notes={"A": "1.2：缺少会议记录；1.1：学习不够深入"})
    result = import_score_file(world.session, world.w["assessor"], world.rnd, io.BytesIO(data))
    assert result == ImportResult(count=6, targets=3, leaves=6 - 1)
    report = compute_ranking(world.session, world.rnd)
    a = next(r for r in report.rows if r.org_code == "A")
    assert a.leaf_scores == {"1.1": Decimal("38.00"), "1.2": Decimal("18.00"), "2.1": Decimal("27.00"),
                             "2.3": Decimal("9.50")}
    assert a.total == Decimal("92.50")
    assert [(d.org_code, d.points, d.reason) for d in report.deductions] == [("A", Decimal("2"), "缺少会议记录")]
    saved = {(s.target.org.code, s.indicator.code): (s.points, s.comment)
             for s in world.session.scalars(select(Score))}
    assert saved[("A", "1.1")] == (Decimal("38.00"), "学习不够深入")
    assert saved[("C", "2.2")] == (Decimal("8.00"), "")
    assert saved[("X2", "1.1")][0] == Decimal("0")
    # exported again, the template shows what was saved
    again = openpyxl.load_workbook(export(world, tmp_path, name="again.xlsx"))["评分"]
    assert again.cell(4, COL["2.3"]).value == 9.5
    assert again.cell(4, NOTE).value == "1.1：学习不够深入；1.2：缺少会议记录"


def test_unchanged_template_reimports_cleanly(scored, tmp_path):
    before = compute_ranking(scored.session, scored.rnd)
    path = export(scored, tmp_path)
    result = import_score_file(scored.session, scored.w["assessor"], scored.rnd, str(path))
    assert result.count == 18 and result.targets == 5
    after = compute_ranking(scored.session, scored.rnd)
    assert [(r.org_code, r.total) for r in after.rows] == [(r.org_code, r.total) for r in before.rows]
    assert [(d.org_code, d.points, d.reason) for d in after.deductions] == \
        [(d.org_code, d.points, d.reason) for d in before.deductions]


def test_errors_are_all_listed_and_nothing_changes(scored, tmp_path):
    session = scored.session
    before = score_table(session)
    path = export(scored, tmp_path)
    data = fill(path, {("A", "1.1"): 45, ("B", "1.2"): 16, ("X1", "1.1"): 12, ("C", "2.3"): 5,
                       ("X2", "2.1"): "很好"},
                extra_rows=[("ZZZ", "不存在的组织", "机关", 10)])
    with pytest.raises(ImportFailed) as exc:
        import_score_file(session, scored.w["assessor"], scored.rnd, data)
    issues = [(i.row, i.column, i.message) for i in exc.value.issues]
    assert len(issues) == 5
    assert any(r == 4 and c == COL["1.1"] and "超出" in m for r, c, m in issues)
    assert any(r == 5 and c == COL["1.2"] and "扣分原因" in m for r, c, m in issues)
    assert any(r == 6 and c == COL["2.3"] and "不适用" in m for r, c, m in issues)
    assert any(r == 8 and c == COL["2.1"] and "不是有效的数字" in m for r, c, m in issues)
    assert any(r == 9 and c == 1 and "ZZZ" in m for r, c, m in issues)
    assert all(i.sheet == "评分" for i in exc.value.issues)
    assert score_table(session) == before


def test_home_unit_rows_refused_naming_the_row(scored, tmp_path):
    session = scored.session
    template = openpyxl.load_workbook(export(scored, tmp_path, user="assessor_a", name="a.xlsx"))["评分"]
    assert "A" not in [template.cell(r, 1).value for r in range(4, template.max_row + 1)]
    before = score_table(session)
    data = fill(export(scored, tmp_path), {("A", "1.1"): 30, ("B", "1.1"): 30})
    with pytest.raises(ImportFailed) as exc:
        import_score_file(session, scored.w["assessor_a"], scored.rnd, data)
    home = [i for i in exc.value.issues if "回避" in i.message]
    assert len(home) == 1 and home[0].row == 4 and "甲局机关党委" in home[0].message
    assert "第4行" in str(home[0])
    assert score_table(session) == before


def test_rule_errors_found_before_saving(make, session, tmp_path):
    """A range rule (扣1-3分) that cannot express the score is reported, not half-applied."""
    w = make.world()
    scheme = make.scheme(code="S2", leaves=[
        ("1.1", "扣分项", "10", "deduct", {"min": "1", "max": "3"}, "1", "一级", ()),
        ("1.2", "直接打分", "90", "direct", {}, "1", "一级", ()),
    ])
    rnd = make.round(scheme, w["root"], [w["a"], w["b"]])
    path = tmp_path / "t.xlsx"
    export_score_template(session, w["assessor"], rnd, path)
    data = fill(path, {("A", "1.1"): 9.5, ("B", "1.1"): 8}, notes={"A": "1.1：迟到", "B": "1.1：缺席"})
    with pytest.raises(ImportFailed) as exc:
        import_score_file(session, w["assessor"], rnd, data)
    assert [(i.row, i.column) for i in exc.value.issues] == [(4, 4)]
    assert "扣分" in exc.value.issues[0].message
    assert session.scalars(select(Score)).all() == []


def test_dry_run_saves_nothing(world, tmp_path):
    data = fill(export(world, tmp_path), {("A", "1.1"): 30, ("B", "1.1"): 20})
    result = import_score_file(world.session, world.w["assessor"], world.rnd, data, dry_run=True)
    assert result == ImportResult(2, 2, 1)
    assert world.session.scalars(select(Score)).all() == []


def test_permissions_and_phases(world, tmp_path):
    with pytest.raises(PermissionDenied):
        export(world, tmp_path, user="unit_a")
    export(world, tmp_path, user="leader")  # leaders may download the blank template
    data = fill(export(world, tmp_path), {("A", "1.1"): 30})
    with pytest.raises(PermissionDenied):
        import_score_file(world.session, world.w["leader"], world.rnd, data)
    rounds.advance(world.session, world.w["assessor"], world.rnd, "publish")
    with pytest.raises(ServiceError, match="公示"):
        import_score_file(world.session, world.w["assessor"], world.rnd, data)
    assert world.session.scalars(select(Score)).all() == []


def test_writer_directly_with_no_targets(tmp_path):
    path = tmp_path / "empty.xlsx"
    write_score_template(path, "=标题", [("1", "一", Decimal("2.5"))], [])
    ws = openpyxl.load_workbook(path)["评分"]
    assert ws["A1"].value == "=标题" and ws["A1"].data_type == "s"
    assert [c.value for c in ws[3]] == [None, "满分", None, 2.5, None]
    assert ws.max_row == 3
