"""A world for the publicity features: the factory world, a scheme with a `vote` leaf and a
bonus cap, a round over A and B (phase 审核评分) with every leaf scored by the assessor."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from scorecard.models import AuditEntry, Indicator
from scorecard.services.scoring.scores import save_score

LEAVES = [
    ("1.1", "第一议题", "40", "direct", {}, "1", "政治建设", ()),
    ("1.2", "三会一课", "20", "deduct", {"per": "2"}, "1", "政治建设", ()),
    ("2.1", "主题党日", "20", "grade", {}, "2", "组织建设", ()),
    ("2.2", "述职评议", "20", "vote", {}, "2", "组织建设", ()),
]
TODAY = dt.date(2025, 12, 10)
D = Decimal


@pytest.fixture
def w(make, session):
    w = make.world()
    w["scheme"] = make.scheme(leaves=LEAVES, bonus_cap=Decimal("3"))
    w["round"] = make.round(w["scheme"], w["root"], [w["a"], w["b"]])
    w["ta"], w["tb"] = w["round"].targets
    w["other_root"] = make.org("GW2", "另一工委", kind="党工委")
    w["other_assessor"] = make.user("other_assessor", "assessor", w["other_root"])
    w["unit_a1"] = make.user("unit_a1", "unit", w["a1"])
    a = w["assessor"]
    for t, v in ((w["ta"], "38"), (w["tb"], "30")):
        save_score(session, a, t, leaf(w, "1.1"), {"value": v}, check_version=False)
        save_score(session, a, t, leaf(w, "1.2"), {"deductions": []}, check_version=False)
        save_score(session, a, t, leaf(w, "2.1"), {"level": "好"}, check_version=False)
        save_score(session, a, t, leaf(w, "2.2"), {"points": "10"}, check_version=False)
    session.commit()
    return w


def leaf(w, code) -> Indicator:
    return next(i for i in w["scheme"].indicators if i.code == code)


def row_of(report, target):
    return next(r for r in report.rows if r.target_id == target.id)


def audits(session, entity) -> list[AuditEntry]:
    return list(session.query(AuditEntry).filter_by(entity=entity).order_by(AuditEntry.id))
