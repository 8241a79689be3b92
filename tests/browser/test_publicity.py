"""公示 in a real browser: publish → the unit appeals an item → the assessor changes the score
(复核) → finalize → the exported ranking workbook (read back with openpyxl) shows the new score."""
from __future__ import annotations

import openpyxl
import pytest
from playwright.sync_api import expect

from scorecard.models import Indicator, RoundTarget, User
from scorecard.services.scoring.scores import save_score
from tests.browser.conftest import advance, download, log_in, log_out

pytestmark = pytest.mark.browser


def seed_scores(app, ids) -> None:
    """A: 38 + 20 + 好(40) = 98; B: 30 + 20 + 一般(24) = 74 (by the assessor)."""
    s = app.extensions["scorecard.sessions"]()
    assessor = s.query(User).filter_by(username="assessor").one()
    ta, tb = s.get(RoundTarget, ids.ta), s.get(RoundTarget, ids.tb)
    ind = {i.code: i for i in s.query(Indicator).filter(Indicator.scheme_id == ta.round.scheme_id)}
    for t, v, level in ((ta, "38", "好"), (tb, "30", "一般")):
        save_score(s, assessor, t, ind["1.1"], {"value": v}, check_version=False)
        save_score(s, assessor, t, ind["1.2"], {"deductions": []}, check_version=False)
        save_score(s, assessor, t, ind["2.1"], {"level": level}, check_version=False)
    s.commit()
    s.close()


def total_of(path, org_name):
    ws = openpyxl.load_workbook(path)["机关"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = next(r for r in rows if "总分" in r)
    row = next(r for r in rows if org_name in r)
    return row[header.index("总分")], row[header.index("备注")]


def test_publish_appeal_change_finalize_export(live_server, watched_page, tmp_path):
    page, base, ids = watched_page, live_server.url, live_server.ids
    seed_scores(live_server.app, ids)

    log_in(page, base, "assessor")
    advance(page, base, ids.round, "发布公示")
    expect(page.locator(".alert-success")).to_contain_text("当前阶段：公示")
    log_out(page)

    log_in(page, base, "unit_b")
    page.get_by_role("link", name="考核结果与申诉").click()
    page.get_by_role("link", name="查看结果与申诉").click()
    expect(page.locator(".summary .total strong")).to_have_text("74.00")
    page.get_by_label("申诉的指标").select_option(label="1.1 第一议题（得分 30.00）")
    page.get_by_label("申诉理由").fill("第一议题学习记录齐全，见会议记录")
    page.get_by_role("button", name="提交申诉").click()
    expect(page.locator(".alert-success")).to_contain_text("申诉已提交")
    expect(page.locator(".appeal-list")).to_contain_text("待复核")
    log_out(page)

    log_in(page, base, "assessor")
    advance(page, base, ids.round, "定档", early_reason="申诉已全部答复，提前结束公示")
    expect(page.locator(".alert-danger")).to_contain_text("还有1条申诉尚未复核，不能定档")
    page.goto(f"{base}/publicity/rounds/{ids.round}")
    form = page.locator(".answer-form")
    form.get_by_label("改分为").check()
    form.get_by_label("复核后得分").fill("36")
    form.get_by_label("复核意见").fill("补充材料属实，改为36分")
    form.get_by_role("button", name="提交复核").click()
    expect(page.locator(".alert-success")).to_contain_text("已复核：改分")
    expect(page.locator(".appeal-list")).to_contain_text("已改分")
    advance(page, base, ids.round, "定档", early_reason="申诉已全部答复，提前结束公示")
    expect(page.locator(".alert-success")).to_contain_text("当前阶段：已定档")

    path = tmp_path / "ranking.xlsx"
    download(page, "下载考核结果排名表（Excel）", path)
    total, notes = total_of(path, "乙局机关党委")
    assert total == 80.0
    assert "申诉复核 1.1 第一议题：30.00→36.00" in notes
    log_out(page)

    log_in(page, base, "unit_b")
    page.goto(f"{base}/publicity/targets/{ids.tb}")
    expect(page.locator(".summary .total strong")).to_have_text("80.00")
    expect(page.locator(".appeal-list")).to_contain_text("36.00")
