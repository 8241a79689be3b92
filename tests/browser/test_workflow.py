"""The whole workflow of one round in a real browser, as its users click through it:
自评 (the unit uploads a PDF into its library, cites it, fills in and submits) → the assessor
returns one item → the unit fixes and resubmits → the assessor confirms, starts 审核评分 and
scores the target beside the unit's self-assessment → 公示 → the unit appeals one item →
the assessor changes the score → 定档 → the ranking workbook shows the new score and the note."""
from __future__ import annotations

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import advance, download, log_in, log_out
from tests.evidence import samples

pytestmark = pytest.mark.browser

REASON = "请补充第一议题学习记录的时间和参学人数"


def leaf(page, code: str):
    return page.locator(f"article#leaf-{code.replace('.', chr(92) + '.')}")


def flash(page):
    return page.locator(".alert-success").first


def unit_fills_and_submits(page, base, ids, pdf) -> None:
    page.get_by_role("link", name="佐证材料", exact=True).click()
    page.get_by_label("选择文件").set_input_files(str(pdf))
    page.get_by_label("材料标题（可选，默认取文件名）").fill("第一议题学习记录")
    page.get_by_label("材料类型").select_option("会议记录")
    page.get_by_role("button", name="上传").click()
    expect(flash(page)).to_contain_text("已上传")
    expect(page.locator(".evidence-list")).to_contain_text("第一议题学习记录")

    page.goto(f"{base}/")
    page.get_by_role("link", name="进入自评填报").click()
    page.get_by_role("link", name="填报", exact=True).first.click()
    expect(page).to_have_url(f"{base}/self/targets/{ids.ta}")
    first = leaf(page, "1.1")
    first.get_by_label("得分（0～40分）").fill("38")
    first.get_by_label("工作情况说明").fill("每月第一议题学习，全年12次")
    first.get_by_label("第一议题学习记录").check()
    first.get_by_role("button", name="保存草稿").click()
    expect(leaf(page, "1.1").locator(".citations")).to_contain_text("第一议题学习记录")
    leaf(page, "1.2").get_by_role("button", name="保存草稿").click()  # no deductions: full marks
    expect(flash(page)).to_contain_text("已保存“1.2 三会一课”")
    third = leaf(page, "2.1")
    third.get_by_label("好（100%，40.00分）").check()
    third.get_by_role("button", name="保存草稿").click()
    expect(flash(page)).to_contain_text("已保存“2.1 主题党日”")
    page.get_by_role("button", name="提交自评").click()
    expect(flash(page)).to_contain_text("自评已提交")
    expect(page.locator(".self-status")).to_have_text("已提交")


def assessor_returns_one(page, base, ids) -> None:
    """Through the progress page: return 1.1 with a reason, confirm the other two items."""
    page.goto(f"{base}/rounds/{ids.round}")
    page.get_by_role("link", name="自评填报进度").click()
    page.locator("tr", has_text="甲局机关党委").get_by_role("link", name="审核").click()
    expect(page).to_have_url(f"{base}/self/targets/{ids.ta}")
    item = leaf(page, "1.1")
    item.get_by_label("退回理由").fill(REASON)
    item.get_by_role("button", name="退回修改").click()
    expect(flash(page)).to_contain_text("已退回")
    for code in ("1.2", "2.1"):
        leaf(page, code).get_by_role("button", name="确认", exact=True).click()
        expect(flash(page)).to_contain_text(f"已确认“{code}")
    expect(page.locator(".self-status")).to_have_text("退回修改")


def assessor_scores(page, base, ids) -> None:
    advance(page, base, ids.round, "开始审核评分")
    expect(flash(page)).to_contain_text("当前阶段：审核评分")
    page.locator("tr", has_text="甲局机关党委").get_by_role("link", name="评分", exact=True).click()
    expect(page).to_have_url(f"{base}/targets/{ids.ta}/scores")
    first = leaf(page, "1.1")
    beside = first.locator(".self-beside")
    expect(beside.locator(".self-points")).to_have_text("36.00")
    expect(beside).to_contain_text("全年12次，平均参学28人")
    expect(beside.get_by_role("link", name="第一议题学习记录")).to_be_visible()
    first.get_by_label("得分（0～40分）").fill("35")
    first.get_by_label("评语 / 说明").fill("参学人数记录不全")
    first.get_by_role("button", name="保存").click()
    expect(flash(page)).to_contain_text("已保存“1.1 第一议题”：35.00分")
    leaf(page, "1.2").get_by_role("button", name="保存").click()
    expect(flash(page)).to_contain_text("已保存“1.2 三会一课”：20.00分")
    third = leaf(page, "2.1")
    third.get_by_label("好（100%，40.00分）").check()
    third.get_by_role("button", name="保存").click()
    expect(page.locator("#my-total")).to_have_text("95.00")


def unit_appeals(page) -> None:
    page.get_by_role("link", name="考核结果与申诉").click()
    page.get_by_role("link", name="查看结果与申诉").click()
    expect(page.locator(".summary .total strong")).to_have_text("95.00")
    page.get_by_label("申诉的指标").select_option(label="1.1 第一议题（得分 35.00）")
    page.get_by_label("申诉理由").fill("参学人数见会议签到表，记录齐全")
    page.get_by_role("button", name="提交申诉").click()
    expect(flash(page)).to_contain_text("申诉已提交")
    expect(page.locator(".appeal-list")).to_contain_text("待复核")


def assessor_answers_and_finalizes(page, base, ids, tmp_path):
    page.goto(f"{base}/rounds/{ids.round}")
    page.get_by_role("link", name="公示、申诉与推报").click()
    form = page.locator(".answer-form")
    form.get_by_label("改分为").check()
    form.get_by_label("复核后得分").fill("38")
    form.get_by_label("复核意见").fill("签到表属实，改为38分")
    form.get_by_role("button", name="提交复核").click()
    expect(flash(page)).to_contain_text("已复核：改分")
    advance(page, base, ids.round, "定档", early_reason="申诉已全部答复，提前结束公示")
    expect(flash(page)).to_contain_text("当前阶段：已定档")
    path = tmp_path / "ranking.xlsx"
    download(page, "下载考核结果排名表（Excel）", path)
    return path


def cell_of(path, sheet: str, org_name: str, is_header) -> object:
    """The value in org_name's row, in the column of the first header cell that is_header."""
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(path)[sheet].iter_rows()]
    column = next(i for r in rows for i, v in enumerate(r) if v is not None and is_header(str(v)))
    return next(r for r in rows if org_name in r)[column]


@pytest.mark.parametrize("live_server", ["self"], indirect=True)
def test_whole_round_workflow(live_server, watched_page, tmp_path):
    page, base, ids = watched_page, live_server.url, live_server.ids
    pdf = tmp_path / "第一议题学习记录.pdf"
    pdf.write_bytes(samples.pdf("workflow"))

    log_in(page, base, "unit_a")
    unit_fills_and_submits(page, base, ids, pdf)
    log_out(page)

    log_in(page, base, "assessor")
    assessor_returns_one(page, base, ids)
    log_out(page)

    log_in(page, base, "unit_a")
    page.goto(f"{base}/self/targets/{ids.ta}")
    item = leaf(page, "1.1")
    expect(item.locator(".return-reason")).to_contain_text(REASON)
    item.get_by_label("得分（0～40分）").fill("36")
    item.get_by_label("工作情况说明").fill("全年12次，平均参学28人")
    item.get_by_role("button", name="保存草稿").click()
    expect(flash(page)).to_contain_text("已保存“1.1 第一议题”")
    page.get_by_role("button", name="提交自评").click()
    expect(page.locator(".self-status")).to_have_text("已提交")
    log_out(page)

    log_in(page, base, "assessor")
    page.goto(f"{base}/self/targets/{ids.ta}")
    leaf(page, "1.1").get_by_role("button", name="确认", exact=True).click()
    expect(page.locator(".self-status")).to_have_text("已确认")
    assessor_scores(page, base, ids)
    advance(page, base, ids.round, "发布公示")
    expect(flash(page)).to_contain_text("当前阶段：公示")
    log_out(page)

    log_in(page, base, "unit_a")
    unit_appeals(page)
    log_out(page)

    log_in(page, base, "assessor")
    path = assessor_answers_and_finalizes(page, base, ids, tmp_path)
    assert cell_of(path, "机关", "甲局机关党委", lambda h: h == "总分") == 98.0
    notes = cell_of(path, "机关", "甲局机关党委", lambda h: h == "备注")
    assert "申诉复核 1.1 第一议题：35.00→38.00" in notes
    assert cell_of(path, "得分明细", "甲局机关党委", lambda h: h.startswith("1.1 ")) in (38.0, "38.00")
    log_out(page)

    log_in(page, base, "unit_a")
    page.get_by_role("link", name="考核结果与申诉").click()
    page.get_by_role("link", name="查看结果与申诉").click()
    expect(page.locator(".summary .total strong")).to_have_text("98.00")
    expect(page.locator(".appeal-list")).to_contain_text("已改分")
