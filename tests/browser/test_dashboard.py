"""The round dashboard in a real browser: every chart draws (a canvas inside each container)
from the vendored ECharts, no console errors, no request leaves 127.0.0.1 (watched_page), the
table behind a chart opens; then a screenshot for the README (animation is off in dashboard.js)."""
from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.dashboard.conftest import build_example
from tests.factories import Factory

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "dashboard.png"
CHARTS = ["progress", "leaf-progress", "selfassess", "tiers", "histogram", "weakest", "groups", "movement"]


@pytest.fixture
def dashboard_server(db_url, tmp_path):
    """The app on a free local port, seeded with the dashboard's worked example."""
    from scorecard.web import create_app

    app = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SECRET_KEY": "browser-test-secret"})
    session = app.extensions["scorecard.sessions"]()
    ex = build_example(Factory(session), session)
    ids = SimpleNamespace(r2=ex.r2.id)
    session.close()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="dashboard-server", daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", ids=ids)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["scorecard.engine"].dispose()


def test_dashboard_draws_every_chart(dashboard_server, watched_page):
    page, base = watched_page, dashboard_server.url
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill("leader")
    page.get_by_label("密码").fill("Passw0rd!")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base}/")
    page.get_by_role("link", name="数据看板").click()
    page.get_by_role("link", name="看板", exact=True).first.click()
    expect(page).to_have_url(f"{base}/dashboard/rounds/{dashboard_server.ids.r2}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("数据看板")
    for chart_id in CHARTS:
        box = page.locator(f'[data-chart="{chart_id}"]')
        expect(box).to_have_attribute("data-rendered", "1")
        expect(box.locator("canvas")).to_have_count(1)
        size = box.bounding_box()
        assert size and size["width"] > 200 and size["height"] >= 200, (chart_id, size)
    # the table behind a chart
    weakest = page.locator("#card-weakest")
    weakest.locator("summary").click()
    expect(weakest.locator("table tbody tr").first).to_contain_text("26.67")
    weakest.locator("summary").click()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
