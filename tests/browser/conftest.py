"""Real-browser tests: the real app (CSRF on, real CSP) served by werkzeug on 127.0.0.1 and a
free port in a background thread, against a fresh migrated database; pytest-playwright drives
Debian's chromium (no `playwright install`, ECOSYSTEM §4.2)."""
from __future__ import annotations

import threading
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
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
def live_server(db_url, tmp_path):
    """The app on http://127.0.0.1:<free port>, seeded with world + scheme + round (committed)."""
    from scorecard.web import create_app

    app = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SECRET_KEY": "browser-test-secret"})
    session = app.extensions["scorecard.sessions"]()
    make = Factory(session)
    world = make.world()
    scheme = make.scheme()
    rnd = make.round(scheme, world["root"], [world["a"], world["b"]])
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
