"""The vendored chart library is the file VENDOR.md names (version, licence, sha256), it is
committed (not git-ignored) and the dashboard serves it from the app, never from a CDN."""
from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

from scorecard.web.dashboard import ECHARTS_JS

STATIC = Path(__file__).resolve().parents[2] / "scorecard" / "static"


def test_vendored_echarts_matches_vendor_md():
    table = (STATIC / "vendor" / "VENDOR.md").read_text(encoding="utf-8")
    path = STATIC / ECHARTS_JS
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    row = next(line for line in table.splitlines() if line.startswith("| echarts"))
    assert digest in row and "Apache-2.0" in row and Path(ECHARTS_JS).parent.name.split("-")[1] in row
    assert (path.parent / "LICENSE").is_file() and (path.parent / "NOTICE").is_file()


def test_vendored_files_are_not_git_ignored():
    root = STATIC.parents[1]
    for rel in (f"scorecard/static/{ECHARTS_JS}", "scorecard/static/vendor/VENDOR.md"):
        ignored = subprocess.run(["git", "check-ignore", "-q", rel], cwd=root).returncode == 0
        assert not ignored, rel


def test_served_by_the_app(client):
    resp = client.get(f"/static/{ECHARTS_JS}")
    assert resp.status_code == 200 and resp.data.startswith(b"\n/*\n* Licensed to the Apache")
    js = (STATIC / "dashboard.js").read_text(encoding="utf-8")
    assert not re.search(r"https?://", js)  # no CDN or other host
