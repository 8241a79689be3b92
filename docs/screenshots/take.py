"""Retake the README screenshots from a running demo (`./run-demo.sh`, default port 5000).

    .venv/bin/python docs/screenshots/take.py [http://127.0.0.1:5000]

Uses Debian's chromium through Playwright; writes PNGs beside this file."""
from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
HERE = Path(__file__).parent
PASSWORD = "Demo@2025!"
SHOTS = [  # (account, path, file, full page)
    ("kaohe_a", "/rounds/1/ranking", "ranking.png", False),
    ("kaohe_a", "/targets/5/scores", "target-scores.png", False),
    ("kaohe_a", "/rounds/1", "round.png", False),
    ("admin", "/schemes/1", "scheme.png", False),
    ("admin", "/orgs/", "orgs.png", False),
    ("admin", "/users/", "users.png", False),
]

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"], headless=True)
    for account, path, name, full in SHOTS:
        page = browser.new_page(viewport={"width": 1400, "height": 860}, locale="zh-CN")
        page.goto(BASE + "/login")
        page.fill("input[name=username]", account)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(BASE + path)
        page.screenshot(path=str(HERE / name), full_page=full)
        page.close()
        print("wrote", HERE / name)
    browser.close()
