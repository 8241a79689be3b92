"""Output encoding: user text with markup is escaped on every page that shows it, and text that
starts with = + - @ is never turned into a formula in any exported workbook (read back with
openpyxl). Pages and downloads are found from the URL map, so new ones are covered too."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from scorecard.models import Indicator, Organisation, User
from tests.conftest import login

from . import matrix
from .matrix_world import USERNAMES, build

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULAS = {"A": "=HYPERLINK(\"http://evil.example\",\"点我\")", "A-1": "+1+1", "B": "-2+3",
            "GW": "@SUM(1,2)"}
INDICATOR = "=cmd|' /C calc'!A0"


@pytest.fixture
def hostile(app, session, make):
    app.config["EXPORT_JOBS_INLINE"] = True
    world = build(app, session, make)
    return session, world


def _pages(app, role, world):
    """Every GET page of the matrix the role may open on its own scope."""
    from .matrix_table import EXPECT, ROLE_ORDER

    for endpoint, method, rule in matrix.cells(app):
        if method != "GET" or endpoint == "static":
            continue
        key = matrix.key(endpoint, method, rule)
        if key in EXPECT and EXPECT[key][ROLE_ORDER.index(role)][0] == "2":
            yield rule, matrix.url_for_cell(rule, role, matrix.scopes_of(rule)[0], world)


@pytest.mark.parametrize("role", ["admin", "assessor", "leader", "unit"])
def test_script_in_names_is_escaped_everywhere(app, client, hostile, role):
    session, world = hostile
    for org in session.scalars(select(Organisation)):
        org.name = f"{org.code}{SCRIPT}"
    for user in session.scalars(select(User)):
        user.display_name = f"{user.username}{SCRIPT}"
    for ind in session.scalars(select(Indicator)):
        ind.name = f"{ind.code}{SCRIPT}"
    session.commit()
    login(client, USERNAMES[role])
    shown = 0
    for rule, url in _pages(app, role, world):
        resp = client.get(url)
        if not resp.mimetype.startswith("text/html"):
            continue
        body = resp.get_data(as_text=True)
        assert SCRIPT not in body, f"{url} renders a script tag from user data"
        shown += ESCAPED in body
    assert shown >= 3, "the hostile names should appear (escaped) on several pages"


def test_formula_like_text_stays_text_in_every_export(app, client, hostile):
    session, world = hostile
    for org in session.scalars(select(Organisation)):
        if org.code in FORMULAS:
            org.name = FORMULAS[org.code]
    for ind in session.scalars(select(Indicator)):
        ind.name = INDICATOR
    session.commit()
    checked, seen = 0, set()
    for role in ("assessor", "admin", "leader"):
        client.post("/logout")
        login(client, USERNAMES[role])
        for rule, url in _pages(app, role, world):
            resp = client.get(url)
            if resp.get_data()[:2] != b"PK":
                continue
            wb = load_workbook(io.BytesIO(resp.get_data()))  # not read-only: data_type is exact
            for ws in wb.worksheets:
                for row in ws.iter_rows():
                    for cell in row:
                        assert cell.data_type != "f", f"{url} {ws.title}!{cell.coordinate} is a formula: {cell.value}"
                        if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                            seen.add(cell.value)
            checked += 1
    assert checked >= 5, f"only {checked} workbooks downloaded"
    assert seen & (set(FORMULAS.values()) | {INDICATOR}), "hostile names should be exported, as text"
