"""Report pages and downloads: who may see them (units 403), the HTML table and the Excel from
one column spec, background export jobs with a status endpoint and a download."""
from __future__ import annotations

import io
import json
import time

import openpyxl
import pytest

from tests.conftest import login

PAGES = ["", "loss", "groups", "cards", "loss.xlsx", "groups.xlsx", "cards.xlsx"]


def url(world, page=""):
    return f"/reports/rounds/{world.rnd.id}/{page}"


@pytest.mark.parametrize("who", ["leader", "assessor", "admin"])
def test_pages_for_assessors_leaders_admins(client, committed, who):
    login(client, who)
    for page in PAGES:
        resp = client.get(url(committed, page))
        assert resp.status_code == 200, page
        if page.endswith(".xlsx"):
            assert resp.mimetype.endswith("spreadsheetml.sheet")
            assert openpyxl.load_workbook(io.BytesIO(resp.data)).sheetnames


@pytest.mark.parametrize("who", ["unit_a", "clerk"])
def test_units_and_clerks_get_403(client, committed, who):
    login(client, who)
    for page in PAGES + ["compare?against=1", "compare.xlsx?against=1"]:
        assert client.get(url(committed, page)).status_code == 403, page
    assert client.post(url(committed, "jobs/ranking")).status_code == 403


def test_round_outside_scope_is_403(client, committed, make):
    other_root = make.org("ZZ", "其他工委")
    make.user("far", "leader", other_root)
    committed.session.commit()
    login(client, "far")
    assert client.get(url(committed, "loss")).status_code == 403


def test_loss_page_renders_the_column_spec(client, committed):
    login(client, "leader")
    html = client.get(url(committed, "loss")).get_data(as_text=True)
    for text in ("指标失分分析", "失分率(%)", "最常见的扣分原因", "三会一课", "18.80", "6.00",
                 "未按期召开支委会（1次）", "@SUM(1)（1次）", 'colspan="3"'):
        assert text in html, text
    assert client.get(url(committed, "loss.xlsx")).headers["Content-Disposition"].startswith("attachment")


def test_groups_and_cards_pages(client, committed):
    login(client, "assessor")
    html = client.get(url(committed, "groups")).get_data(as_text=True)
    assert "第一片组" in html and "92.50" in html and "甲局机关党委（96.00）" in html
    html = client.get(url(committed, "cards?category=医疗卫生")).get_data(as_text=True)
    assert "丙医院党委" in html and "甲局机关党委" not in html and "未评分2项" in html
    assert client.get(url(committed, "cards?category=村")).status_code == 404
    wb = openpyxl.load_workbook(io.BytesIO(client.get(url(committed, "cards.xlsx?category=机关")).data))
    assert wb.sheetnames == ["A 甲局机关党委", "B 乙局机关党委", "X1 =1+1"]


def test_compare_page_and_refusal_of_other_scheme(client, committed, make):
    w = committed.w
    later = make.round(committed.scheme, w["root"], [w["a"], w["b"]], code="R2")
    foreign = make.round(make.scheme(code="S2"), w["root"], [w["a"]], code="R3")
    committed.session.commit()
    login(client, "leader")
    index = client.get(f"/reports/rounds/{later.id}/").get_data(as_text=True)
    assert "R1轮考核" in index and "R3轮考核" not in index
    html = client.get(f"/reports/rounds/{later.id}/compare?against={committed.rnd.id}").get_data(as_text=True)
    assert "与“R1轮考核”对比" in html and "未参加" in html
    resp = client.get(f"/reports/rounds/{later.id}/compare.xlsx?against={committed.rnd.id}")
    assert openpyxl.load_workbook(io.BytesIO(resp.data))["两轮对比"]["A5"].value == "A"
    resp = client.get(f"/reports/rounds/{later.id}/compare?against={foreign.id}", follow_redirects=True)
    assert "不是同一方案，不能对比" in resp.get_data(as_text=True)
    assert client.get(f"/reports/rounds/{later.id}/compare").status_code == 404


def test_round_page_links_to_reports(client, committed):
    login(client, "leader")
    assert f"/reports/rounds/{committed.rnd.id}/" in client.get(f"/rounds/{committed.rnd.id}").get_data(as_text=True)


def _status(client, location):
    return json.loads(client.get(location + "/status").get_data(as_text=True))


def test_background_job_in_a_thread(client, committed, app):
    login(client, "leader")
    resp = client.post(url(committed, "jobs/ranking"))
    assert resp.status_code == 302
    page = resp.headers["Location"]
    html = client.get(page).get_data(as_text=True)
    assert "export_jobs.js" in html and "data-status-url" in html and "<script>" not in html
    deadline = time.monotonic() + 20
    status = _status(client, page)
    while status["state"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.1)
        status = _status(client, page)
    assert status["state"] == "done", status
    assert status["percent"] == 100 and status["filename"] == "R1轮考核结果排名表.xlsx"
    data = client.get(status["download"]).data
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert "等次分布" in wb.sheetnames
    files = list((app.instance_path and __import__("pathlib").Path(app.instance_path) / "exports").glob("*/*"))
    assert {f.name for f in files} == {"job.json", "result.xlsx"}


def test_job_belongs_to_its_user_and_cards_job_inline(client, committed, app):
    app.config["EXPORT_JOBS_INLINE"] = True
    login(client, "leader")
    page = client.post(url(committed, "jobs/cards"), data={"category": "机关"}).headers["Location"]
    status = _status(client, page)
    assert status["state"] == "done" and status["filename"] == "R1轮考核考核评分卡（机关）.xlsx"
    client.post("/logout")
    login(client, "assessor")
    assert client.get(page).status_code == 403
    assert client.get(page + "/status").status_code == 403
    assert client.get(page + "/download").status_code == 403
    assert client.get("/reports/jobs/../../etc/status").status_code == 404
    assert client.get("/reports/jobs/" + "0" * 32).status_code == 404
    assert client.post(url(committed, "jobs/nope")).status_code == 404


def test_failed_job_reports_a_chinese_message(client, committed, app, session):
    app.config["EXPORT_JOBS_INLINE"] = True
    login(client, "leader")
    leader = committed.w["leader"]
    page = client.post(url(committed, "jobs/cards"), data={"category": "村"}).headers["Location"]
    status = _status(client, page)
    assert status["state"] == "failed" and "没有考核类别“村”" in status["message"]
    assert client.get(page + "/download").status_code == 404
    assert leader.username == "leader"


def test_large_rounds_offer_the_background_job(client, committed, app):
    login(client, "leader")
    page = client.get(f"/rounds/{committed.rnd.id}/ranking").get_data(as_text=True)
    assert f"/rounds/{committed.rnd.id}/ranking.xlsx" in page and "jobs/ranking" not in page
    app.config["EXPORT_JOB_MIN_TARGETS"] = 5
    for path in (f"/rounds/{committed.rnd.id}/ranking", f"/rounds/{committed.rnd.id}"):
        page = client.get(path).get_data(as_text=True)
        assert f"/reports/rounds/{committed.rnd.id}/jobs/ranking" in page, path
        assert f"/rounds/{committed.rnd.id}/ranking.xlsx" not in page, path
