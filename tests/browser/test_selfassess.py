"""Self-assessment in a real browser: the unit saves typed self-scores, uploads a file and
cites it from two items, submits; the assessor returns one item with a reason; the unit
fixes it and resubmits; the history shows every step."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, log_out
from tests.evidence import samples

pytestmark = pytest.mark.browser


def leaf(page, code: str):
    return page.locator(f"article#leaf-{code.replace('.', chr(92) + '.')}")


def test_unit_submits_assessor_returns_unit_resubmits(live_server, watched_page, tmp_path):
    page, base, ids = watched_page, live_server.url, live_server.ids
    upload = tmp_path / "三会一课记录.pdf"
    upload.write_bytes(samples.pdf("browser"))

    log_in(page, base, "unit_a")
    page.get_by_role("link", name="进入自评填报").click()
    page.get_by_role("link", name="填报", exact=True).first.click()
    expect(page).to_have_url(f"{base}/self/targets/{ids.ta}")

    first = leaf(page, "1.1")
    first.get_by_label("得分（0～40分）").fill("38")
    expect(first.locator(".preview")).to_contain_text("38.00")
    first.get_by_label("工作情况说明").fill("每月第一议题学习，全年12次")
    first.locator("summary", has_text="上传新材料并引用").click()
    first.get_by_label("选择文件").set_input_files(str(upload))
    first.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".alert-success").first).to_contain_text("已上传“三会一课记录.pdf”")
    expect(leaf(page, "1.1").locator(".citations")).to_contain_text("三会一课记录")

    second = leaf(page, "1.2")
    second.get_by_label("三会一课记录").check()  # cite the same library file again
    second.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".alert-success").first).to_contain_text("已保存“1.2 三会一课”")

    third = leaf(page, "2.1")
    third.get_by_label("好（100%，40.00分）").check()
    third.get_by_role("button", name="保存草稿").click()

    page.get_by_role("button", name="提交自评").click()
    expect(page.locator(".alert-success").first).to_contain_text("自评已提交")
    expect(page.locator(".self-status")).to_have_text("已提交")
    log_out(page)

    log_in(page, base, "assessor")
    page.goto(f"{base}/self/targets/{ids.ta}")
    item = leaf(page, "1.1")
    expect(item.locator(".citations")).to_contain_text("三会一课记录")
    item.get_by_label("退回理由").fill("请补充第一议题学习记录的时间和人数")
    item.get_by_role("button", name="退回修改").click()
    expect(page.locator(".alert-success").first).to_contain_text("已退回")
    expect(page.locator(".self-status")).to_have_text("退回修改")
    log_out(page)

    log_in(page, base, "unit_a")
    page.goto(f"{base}/self/targets/{ids.ta}")
    item = leaf(page, "1.1")
    expect(item.locator(".return-reason")).to_contain_text("请补充第一议题学习记录的时间和人数")
    item.get_by_label("得分（0～40分）").fill("36")
    item.get_by_label("工作情况说明").fill("全年12次，平均参学28人")
    item.get_by_role("button", name="保存草稿").click()
    page.get_by_role("button", name="提交自评").click()
    expect(page.locator(".self-status")).to_have_text("已提交")
    item = leaf(page, "1.1")
    item.locator("summary", has_text="修改记录").click()
    rows = item.locator(".history tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.nth(2)).to_contain_text("退回修改")
    expect(rows.nth(4)).to_contain_text("重新提交")
    expect(rows.nth(4)).to_contain_text("36.00")
