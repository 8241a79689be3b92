"""The score grid in a real browser: log in, type, Enter (save + move down), running total,
inline validation, the deduct reason prompt, reload, then the ranking workbook download."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import download, log_in

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "score-grid.png"


def cell(page, target_id: int, leaf: str):
    return page.locator(f'tr[data-target="{target_id}"] input[data-leaf="{leaf}"]')


def enter_scores(page, ids) -> None:
    a11, b11, b12 = cell(page, ids.ta, "1.1"), cell(page, ids.tb, "1.1"), cell(page, ids.tb, "1.2")
    a11.click()
    page.keyboard.type("35.5")
    page.keyboard.press("Enter")  # saves and moves down
    expect(b11).to_be_focused()
    expect(a11).to_have_attribute("data-state", "saved")
    expect(a11).to_have_value("35.50")
    expect(page.locator("#grid-status")).to_contain_text("已保存")
    expect(page.locator(f'tr[data-target="{ids.ta}"] td[data-total]')).to_have_text("35.50")
    expect(page.locator("tfoot td[data-count]").first).to_have_text("1")
    page.keyboard.press("Tab")  # → 1.2 (deduct, 20): below full marks asks for a reason in-page
    expect(b12).to_be_focused()
    page.keyboard.type("16")
    page.keyboard.press("Enter")
    expect(page.locator("#reason-box")).to_be_visible()
    page.keyboard.type("两次未按期召开支委会")
    page.keyboard.press("Enter")
    expect(page.locator("#reason-box")).to_be_hidden()
    expect(b12).to_have_attribute("data-state", "saved")
    expect(page.locator(f'tr[data-target="{ids.tb}"] td[data-total]')).to_have_text("16.00")


def check_invalid_input(page, ids) -> None:
    b21 = cell(page, ids.tb, "2.1")
    b21.click()
    page.keyboard.type("45")
    expect(b21).to_have_class(re.compile(r"\binvalid\b"))
    expect(b21).to_have_attribute("title", re.compile("超出满分40分"))
    expect(page.locator("#grid-status")).to_contain_text("超出满分40分")
    b21.fill("")
    page.keyboard.type("1.234")
    expect(b21).to_have_attribute("title", "得分最多保留两位小数")
    page.keyboard.press("Enter")  # refused: stays put, nothing saved
    expect(b21).to_be_focused()
    page.keyboard.press("ArrowLeft")  # caret moves inside the text, not to the next cell …
    expect(b21).to_be_focused()


def test_score_grid_end_to_end(live_server, watched_page, tmp_path):
    page, base, ids = watched_page, live_server.url, live_server.ids
    log_in(page, base)
    grid = f"{base}/rounds/{ids.round}/grid/{ids.category}"
    page.goto(grid)
    enter_scores(page, ids)
    check_invalid_input(page, ids)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.keyboard.press("Escape")  # reverts the invalid cell
    b21 = cell(page, ids.tb, "2.1")
    expect(b21).to_have_value("")
    expect(b21).not_to_have_class(re.compile(r"\binvalid\b"))

    page.reload()
    expect(cell(page, ids.ta, "1.1")).to_have_value("35.50")
    expect(cell(page, ids.tb, "1.2")).to_have_value("16.00")
    expect(cell(page, ids.tb, "2.1")).to_have_value("")

    check_target_page(page, base, ids)
    total = ranking_total(page, base, ids)
    assert total == "35.50"
    check_workbook(page, tmp_path, total)


def check_target_page(page, base: str, ids) -> None:
    """scores.js on the per-target page: live preview, comment reminder, deduction rows."""
    page.goto(f"{base}/targets/{ids.tb}/scores")
    leaf = page.locator("#leaf-1\\.1")
    leaf.get_by_label("得分（0～40分）").fill("30")
    expect(leaf.locator(".preview")).to_contain_text("预计得分：30.00分")
    expect(leaf.locator(".comment-warn")).to_be_visible()
    leaf.get_by_label("评语 / 说明").fill("学习记录不全")
    expect(leaf.locator(".comment-warn")).to_be_hidden()
    deduct = page.locator("#leaf-1\\.2")
    expect(deduct.locator(".deduct-row")).to_have_count(2)  # the saved deduction + an empty row
    expect(deduct.locator('input[name="d_reason"]').first).to_have_value("两次未按期召开支委会")
    deduct.get_by_role("button", name="＋ 添加一条扣分").click()
    expect(deduct.locator(".deduct-row")).to_have_count(3)
    deduct.locator('input[name="d_times"]').nth(1).fill("1")
    expect(deduct.locator(".preview")).to_contain_text("预计得分：14.00分")


def ranking_total(page, base: str, ids) -> str:
    page.goto(f"{base}/rounds/{ids.round}/ranking")
    table = page.locator('table.ranking[data-category="机关"]')
    headers = [t.strip() for t in table.locator("thead tr").first.locator("th").all_inner_texts()]
    row = table.locator("tbody tr", has_text="甲局机关党委")
    expect(row).to_have_count(1)
    cells = [t.strip() for t in row.locator("td").all_inner_texts()]
    return cells[_column(headers, "总分", table)]


def _column(headers: list[str], name: str, table) -> int:
    """Column index of a top-row header, counting the merged group (一级指标得分) as its width."""
    index = 0
    for i, text in enumerate(headers):
        if text == name:
            return index
        span = table.locator("thead tr").first.locator("th").nth(i).get_attribute("colspan")
        index += int(span or 1)
    raise AssertionError(f"no column {name}: {headers}")


def check_workbook(page, tmp_path: Path, total: str) -> None:
    path = tmp_path / "ranking.xlsx"
    got = download(page, re.compile("下载考核结果排名表"), path)
    assert got.suggested_filename.endswith(".xlsx") and "排名" in got.suggested_filename
    wb = openpyxl.load_workbook(path, read_only=True)
    detail = _rows(wb["得分明细"])
    assert _lookup(detail, "A", lambda h: str(h).startswith("1.1 ")) in (35.5, "35.50")
    category = _rows(wb["机关"])
    assert f"{float(_lookup(category, 'A', lambda h: h == '总分')):.2f}" == total


def _rows(ws) -> list[tuple]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def _lookup(rows: list[tuple], org_code: str, is_column) -> object:
    """The value in the row whose 组织编码 is org_code, in the column whose header matches."""
    code_col = column = None
    for r in rows:
        for i, v in enumerate(r):
            if v == "组织编码" and code_col is None:
                code_col = i
            if v is not None and column is None and is_column(v):
                column = i
        if code_col is not None and column is not None and len(r) > code_col and r[code_col] == org_code:
            return r[column]
    raise AssertionError(f"{org_code} not found (组织编码 column {code_col}, value column {column})")
