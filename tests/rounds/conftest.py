"""Shared data for the rounds pages: the factory world, a published scheme, a round over A
and B, extra assessors (another scope; another tree) and helpers to score and parse HTML."""
from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from scorecard.models import Indicator
from scorecard.services.scoring.scores import save_score


@pytest.fixture
def world(make, session):
    w = make.world()
    w["scheme"] = make.scheme()
    w["round"] = make.round(w["scheme"], w["root"], [w["a"], w["b"]])
    w["ta"], w["tb"] = w["round"].targets
    w["assessor_b"] = make.user("assessor_b", "assessor", w["b"])  # scope B: round owner outside
    other = make.org("GW2", "另一工委", kind="党工委")
    w["other_root"] = other
    w["other_assessor"] = make.user("other_assessor", "assessor", other)
    session.commit()
    return w


def leaf(session, scheme, code) -> Indicator:
    return next(i for i in scheme.indicators if i.code == code)


INPUTS = {
    "1.1": lambda v: {"value": str(v)},
    "1.2": lambda n: {"deductions": [{"times": str(n), "reason": "三会一课缺记录"}] if n else []},
    "2.1": lambda level: {"level": level},
}


def score(session, user, target, code, value, comment=""):
    ind = leaf(session, target.round.scheme, code)
    return save_score(session, user, target, ind, INPUTS[code](value), comment=comment, check_version=False)


def score_all(session, w):
    """A: 38 + (20-2) + 40×好 ; B: 30 + 20 + 40×一般 — by the assessor; commits."""
    assessor = w["assessor"]
    score(session, assessor, w["ta"], "1.1", "38", "材料略少")
    score(session, assessor, w["ta"], "1.2", 1)
    score(session, assessor, w["ta"], "2.1", "好")
    score(session, assessor, w["tb"], "1.1", "30")
    score(session, assessor, w["tb"], "1.2", 0)
    score(session, assessor, w["tb"], "2.1", "一般")
    session.commit()


class Tables(HTMLParser):
    """Collects every <table>: its attributes, header cells (per header row) and body rows (cell texts)."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: list[dict] = []
        self._stack: list[dict] = []
        self._cell: list[str] | None = None
        self._in_head = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._stack.append({"attrs": a, "head": [], "rows": []})
        elif not self._stack:
            return
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            (self._stack[-1]["head"] if self._in_head else self._stack[-1]["rows"]).append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if not self._stack:
            return
        if tag == "table":
            self.tables.append(self._stack.pop())
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None:
            t = self._stack[-1]
            (t["head"] if self._in_head else t["rows"])[-1].append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def with_class(self, cls: str) -> list[dict]:
        return [t for t in self.tables if cls in t["attrs"].get("class", "").split()]


def text(resp) -> str:
    return resp.get_data(as_text=True)


D = Decimal
