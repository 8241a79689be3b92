"""Score template download and filled-template upload through the web UI."""
from __future__ import annotations

import io
from decimal import Decimal as D
from urllib.parse import unquote

import openpyxl
import pytest
from sqlalchemy import select

from scorecard.models import Score
from scorecard.services.scoring import scores as scoring
from tests.scores.helpers import own_score, score_count, text


def urls(w):
    rid = w["round"].id
    return f"/rounds/{rid}/scores/import", f"/rounds/{rid}/scores/template.xlsx"


def filled_template(c, w, values: dict[tuple[str, str], object], note: str | None = None) -> bytes:
    """Download the template and fill {(org code, leaf code): value}."""
    resp = c.get(urls(w)[1])
    wb = openpyxl.load_workbook(io.BytesIO(resp.data))
    ws = wb["评分"]
    header = [str(v or "") for v in next(ws.iter_rows(min_row=2, max_row=2, values_only=True))]
    column = {h.split()[0]: i + 1 for i, h in enumerate(header) if h}
    for row in range(4, ws.max_row + 1):
        org = ws.cell(row, 1).value
        for (code, leaf), value in values.items():
            if org == code:
                ws.cell(row, column[leaf], value)
        if note and org in {k[0] for k in values}:
            ws.cell(row, len(header), note)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(c, w, data: bytes, dry_run=False):
    form = {"file": (io.BytesIO(data), "评分表.xlsx")}
    if dry_run:
        form["dry_run"] = "1"
    return c.post(urls(w)[0], data=form, content_type="multipart/form-data", follow_redirects=True)


@pytest.mark.parametrize("username", ["leader", "unit_a", "clerk", "admin", "assessor_b"])
def test_import_and_template_are_refused_outside_role_or_scope(w, as_user, username):
    c = as_user(username)
    for url in urls(w):
        assert c.get(url).status_code == 403
    assert c.post(urls(w)[0], data={}).status_code == 403


def test_template_downloads_with_a_chinese_name(w, as_user):
    resp = as_user("assessor").get(urls(w)[1])
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = unquote(resp.headers["Content-Disposition"])
    assert "attachment" in disposition and "R1轮考核评分模板.xlsx" in disposition
    ws = openpyxl.load_workbook(io.BytesIO(resp.data))["评分"]
    assert [ws.cell(r, 1).value for r in range(4, 6)] == ["A", "B"]


def test_import_page_lists_steps(w, as_user):
    page = text(as_user("assessor").get(urls(w)[0]))
    assert "仅检查" in page and 'enctype="multipart/form-data"' in page and "下载本轮评分模板" in page


def test_errors_are_listed_and_nothing_is_written(w, as_user, session):
    scoring.save_score(session, w["assessor"], w["tb"], w["leaf"]["1.1"], {"value": "12"})
    session.commit()
    c = as_user("assessor")
    data = filled_template(c, w, {("B", "1.1"): 25, ("B", "2.1"): "十分", ("A", "2.2"): 8})
    before = [(s.id, s.points, s.version) for s in session.scalars(select(Score))]
    resp = upload(c, w, data)
    assert resp.status_code == 400
    page = text(resp)
    assert "导入未执行，数据库未作任何修改" in page
    assert "第5行" in page  # B's row, with the sheet and column named
    assert page.count("<li>") >= 2
    session.expire_all()
    assert [(s.id, s.points, s.version) for s in session.scalars(select(Score))] == before
    assert own_score(session, w, w["tb"], "1.1").points == D("12.00")


def test_not_a_workbook_is_refused(w, as_user, session):
    resp = upload(as_user("assessor"), w, b"not a workbook")
    assert resp.status_code == 400 and "不是有效的Excel工作簿" in text(resp)
    assert score_count(session) == 0


def test_missing_file(w, as_user):
    resp = as_user("assessor").post(urls(w)[0], data={}, content_type="multipart/form-data")
    assert resp.status_code == 400 and "请选择要导入的评分表" in text(resp)


def test_dry_run_then_import(w, as_user, session):
    c = as_user("assessor")
    data = filled_template(c, w, {("A", "1.1"): 18, ("B", "1.1"): 19.5, ("B", "2.2"): 8})
    resp = upload(c, w, data, dry_run=True)
    assert resp.status_code == 200 and "检查通过" in text(resp) and "3个分数" in text(resp)
    assert score_count(session) == 0
    resp = upload(c, w, data)
    assert resp.status_code == 200 and "已导入3个分数" in text(resp)
    assert own_score(session, w, w["tb"], "1.1").points == D("19.50")
    assert own_score(session, w, w["tb"], "2.2").input == {"points": "8"}


def test_home_unit_rows_are_refused_by_import(w, as_user, session):
    c = as_user("assessor")  # fill as an assessor without a home unit …
    data = filled_template(c, w, {("A", "1.1"): 18})
    c.post("/logout")
    resp = upload(as_user("assessor_a"), w, data)  # … and upload as the one who works in 甲局
    assert resp.status_code == 400 and "回避" in text(resp)
    assert score_count(session) == 0


def test_locked_round_refuses_import(w, as_user, session):
    c = as_user("assessor")
    data = filled_template(c, w, {("B", "1.1"): 18})
    w["round"].phase = "publicity"
    session.commit()
    resp = upload(c, w, data)
    assert resp.status_code == 400 and "公示" in text(resp)
    assert score_count(session) == 0
