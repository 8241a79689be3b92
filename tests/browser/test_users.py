"""Account access in a real browser (CSRF on, real CSP, watched_page fails on console errors):
an account slowed down by real failed logins is unlocked from the list; a password is reset with a
typed temporary password (a bad one first) and with a generated one, which then works once."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import log_in, log_out

pytestmark = pytest.mark.browser


def _fail_logins(page, base, username, times=5):
    for _ in range(times):
        page.goto(f"{base}/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill("Wrong-pass-1")
        page.get_by_role("button", name="登录").click()
    expect(page.locator(".alert-danger").last).to_contain_text("登录失败次数过多")


def _row(page, username):
    return page.locator("tr", has=page.get_by_role("cell", name=username, exact=True)).first


def test_admin_unlocks_and_resets(live_server, watched_page):
    page, base = watched_page, live_server.url
    _fail_logins(page, base, "unit_a")
    log_in(page, base, "admin")
    page.get_by_role("link", name="账号").click()
    row = _row(page, "unit_a")
    expect(row).to_contain_text("登录受限（失败5次，至")
    row.get_by_role("button", name="解除锁定").click()
    expect(page.locator("main")).to_contain_text("已解除账号“unit_a”的登录锁定")
    expect(_row(page, "unit_a")).to_contain_text("正常")

    _row(page, "unit_b").get_by_role("link", name="重置密码").click()
    page.get_by_label("临时密码", exact=True).fill("short")
    page.get_by_label("确认临时密码").fill("short")
    page.get_by_role("button", name="重置密码").click()
    expect(page.locator(".field.has-error")).to_contain_text("密码至少10位")
    page.get_by_label("临时密码", exact=True).fill("Tmp-Pass42x")
    page.get_by_label("确认临时密码").fill("Tmp-Pass42x")
    page.get_by_role("button", name="重置密码").click()
    expect(page.locator("main")).to_contain_text("已重置，该用户下次登录时须修改密码")
    expect(_row(page, "unit_b")).to_contain_text("需修改密码")

    _row(page, "clerk").get_by_role("link", name="重置密码").click()
    page.get_by_role("button", name="生成临时密码并重置").click()
    password = page.locator("code.secret").inner_text()
    assert re.fullmatch(r"[A-Za-z2-9]{4}-[A-Za-z2-9]{4}-[A-Za-z2-9]{4}", password)
    log_out(page)

    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base}/account/password")
    log_out(page)
    log_in(page, base, "unit_a")  # unlocked: logs in at once
