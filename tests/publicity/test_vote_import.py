"""述职评议 Excel import: the template round-trips; every error names row/column in Chinese;
nothing is written when anything is wrong."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from scorecard.importers.common import ImportFailed
from scorecard.importers.votes import parse_votes
from scorecard.models import PanelVote
from scorecard.services.rounds.ranking import compute_ranking
from scorecard.services.scoring import votes
from tests.conftest import login

from .conftest import D, row_of

HEADER = ["组织编码", "组织名称", "指标编码", "评议人", "评价"]


def book(*rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "评议票"
    ws.append(header)
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_applies_and_converts(session, w):
    data = book(("A", "甲", "2.2", "评委1", "满意"), ("A", "甲", "2.2", "评委2", "不满意"),
                ("B", "乙", "2.2", "评委1", "基本满意"), ("B", "乙", "2.2", None, None))
    rows = parse_votes(data, votes.import_context(session, w["assessor"], w["round"]))
    assert votes.apply_import(session, w["assessor"], w["round"], rows) == 3
    report = compute_ranking(session, w["round"])
    assert row_of(report, w["ta"]).leaf_scores["2.2"] == D("10.00")
    assert row_of(report, w["tb"]).leaf_scores["2.2"] == D("12.00")


@pytest.mark.parametrize("rows, expected", [
    ([("X", "", "2.2", "评委1", "满意")], "第2行A列：组织编码“X”不是本轮考核对象"),
    ([("A", "", "1.1", "评委1", "满意")], "第2行C列：指标编码“1.1”不是本轮方案中计分方式为“测评”的末级指标"),
    ([("A", "", "2.2", "评委1", "很满意")], "第2行E列：评价“很满意”无效，可选：满意、基本满意、不满意"),
    ([("A", "", "2.2", "", "满意")], "第2行D列：“评议人”不能为空"),
    ([("A", "", "2.2", "评委1", "满意"), ("A", "", "2.2", "评委1", "不满意")],
     "第3行D列：评议人“评委1”对“A”的指标2.2重复投票（与第2行重复）"),
    ([("A", "", "2.2", "评委1", "=1+1")], "第2行E列：单元格含公式"),
])
def test_import_errors_name_row_and_column_and_write_nothing(client, session, w, rows, expected):
    votes.save_grid(session, w["assessor"], w["ta"], [votes.GridRow("原评委", {"2.2": "满意"})])
    session.commit()
    login(client, "assessor")
    good = ("B", "乙", "2.2", "评委9", "满意")  # a valid row must not be written either
    resp = client.post(f"/publicity/rounds/{w['round'].id}/votes/import",
                       data={"file": (io.BytesIO(book(*rows, good)), "votes.xlsx")},
                       content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "导入未执行，数据库未作任何修改" in page
    assert f"工作表「评议票」{expected}" in page
    session.expire_all()
    assert [(v.rater, v.choice) for v in session.query(PanelVote)] == [("原评委", "满意")]


def test_import_home_unit_rows_refused(session, w):
    ctx = votes.import_context(session, w["assessor_a"], w["round"])
    with pytest.raises(ImportFailed) as exc:
        parse_votes(book(("A", "", "2.2", "评委1", "满意")), ctx)
    assert "您不能录入“甲局机关党委”的评议票（所在单位回避" in str(exc.value)


def test_missing_header_and_not_a_workbook(session, w):
    ctx = votes.import_context(session, w["assessor"], w["round"])
    with pytest.raises(ImportFailed, match="未找到表头"):
        parse_votes(book(("A",), header=["组织编码", "评价"]), ctx)
    with pytest.raises(ImportFailed, match="不是有效的Excel工作簿"):
        parse_votes(b"not a zip", ctx)
    with pytest.raises(ImportFailed, match="文件中没有评议票"):
        parse_votes(book(), ctx)


def test_template_round_trips(client, session, w):
    login(client, "assessor")
    resp = client.get(f"/publicity/rounds/{w['round'].id}/votes/template.xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.data))
    ws = wb["评议票"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == HEADER and rows[1][:3] == ["A", "甲局机关党委", "2.2"]
    ws.cell(2, 4, "评委1")
    ws.cell(2, 5, "满意")
    buf = io.BytesIO()
    wb.save(buf)
    resp = client.post(f"/publicity/rounds/{w['round'].id}/votes/import",
                       data={"file": (io.BytesIO(buf.getvalue()), "票.xlsx")}, content_type="multipart/form-data")
    assert resp.status_code == 302
    assert [(v.rater, v.choice) for v in session.query(PanelVote)] == [("评委1", "满意")]
