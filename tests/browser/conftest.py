"""Real-browser tests: the real app (CSRF on, real CSP) served by werkzeug on 127.0.0.1 and a
free port in a background thread, against a fresh migrated database; pytest-playwright drives
Debian's chromium (no `playwright install`, ECOSYSTEM §4.2)."""
from __future__ import annotations

import threading
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.factories import Factory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "accept_downloads": True,
            "viewport": {"width": 1280, "height": 720}}


@pytest.fixture
def live_server(request, db_url, tmp_path):
    """The app on http://127.0.0.1:<free port>, seeded with world + scheme + round (committed).

    The round is in phase 审核评分 unless parametrized indirectly with another phase, e.g.
    `@pytest.mark.parametrize("live_server", ["self"], indirect=True)`."""
    from scorecard.web import create_app

    app = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SECRET_KEY": "browser-test-secret"})
    session = app.extensions["scorecard.sessions"]()
    make = Factory(session)
    world = make.world()
    scheme = make.scheme()
    rnd = make.round(scheme, world["root"], [world["a"], world["b"]],
                     phase=getattr(request, "param", "review"))
    session.commit()
    ids = SimpleNamespace(round=rnd.id, category=world["a"].category_id,
                          ta=rnd.targets[0].id, tb=rnd.targets[1].id)
    session.close()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app, ids=ids)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["scorecard.engine"].dispose()


@pytest.fixture
def watched_page(page):
    """The page, failing the test on any console error, page error or non-local request."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("request", lambda req: problems.append(f"non-local request: {req.url}")
            if urlsplit(req.url).hostname not in ("127.0.0.1", None) else None)
    # base.html names static/favicon.svg; should Chromium still probe /favicon.ico, its 404
    # would be logged as a console error that says nothing about the page under test.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    page.set_default_timeout(5000)
    yield page
    assert problems == [], "\n".join(problems)


# -- helpers shared by the browser tests (plain functions: import from tests.browser.conftest)

def log_in(page, base: str, username: str = "assessor") -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("Passw0rd!")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base}/")


def log_out(page) -> None:
    page.get_by_role("button", name="退出").click()


def advance(page, base: str, round_id: int, label: str, early_reason: str | None = None) -> None:
    """Move the round on through its page's link (发布公示, 定档 …) and the confirmation button;
    early_reason: 定档 while 公示 is still open gives the reason for closing it early."""
    page.goto(f"{base}/rounds/{round_id}")
    page.get_by_role("link", name=label).click()
    if early_reason is not None:
        page.get_by_label("提前结束公示的原因").fill(early_reason)
    page.get_by_role("button", name=f"确认{label}").click()


def download(page, link_name, path):
    """Click the link named link_name (str or regex), save the download to path; the Download."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    info.value.save_as(path)
    return info.value
