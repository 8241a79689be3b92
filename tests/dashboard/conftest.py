"""A worked example for the dashboard (figures worked out by hand in test_service.py).

Scheme family "S" (满分100; leaves 1.1 /40, 1.2 /20, 2.1 /40, all 直接打分; tiers 好≥90 较好≥80
一般≥60 差<60). Targets: A, B (机关, 第一片组), C (机关, 第二片组), D (企业, 第二片组).

R1 (scheme S v1, 已定档 computed live): A 36+16+28 = 80 较好, B 36+18+36 = 90 好, C 10+10+10 = 30 差.
R2 (scheme S v2, 审核评分):          A 38+18+36 = 92 好,   B 30+20+30 = 80 较好,
                                     C 20+10+—  = 30 差 (2.1 unscored), D nothing = 0 差.
X  (another family "T", created between R1 and R2): never the "previous round" of R2.
"""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from scorecard.models import Score

LEAVES = [("1.1", "第一议题", "40", "direct", {}, "1", "政治建设", ()),
          ("1.2", "三会一课", "20", "direct", {}, "1", "政治建设", ()),
          ("2.1", "主题党日", "40", "direct", {}, "2", "组织建设", ())]


def put_scores(session, rnd, assessor, table: dict[str, dict[str, str]]) -> None:
    leaf = {i.code: i for i in rnd.scheme.indicators}
    for t in rnd.targets:
        for code, value in table.get(t.org.code, {}).items():
            session.add(Score(target_id=t.id, indicator_id=leaf[code].id, assessor_id=assessor.id,
                              input={"value": value}, points=Decimal(value)))
    session.flush()


def build_example(make, session):
    root = make.org("GW", "机关工委", kind="党工委")
    a = make.org("A", "甲局机关党委", root, "机关", "第一片组")
    b = make.org("B", "乙局机关党委", root, "机关", "第一片组")
    c = make.org("C", "丙局机关党委", root, "机关", "第二片组")
    d = make.org("D", "丁公司党委", root, "企业", "第二片组")
    users = {
        "assessor": make.user("assessor", "assessor", root),
        "leader": make.user("leader", "leader", root),
        "admin": make.user("admin", "admin", root),
        "unit_a": make.user("unit_a", "unit", a),
        "clerk": make.user("clerk", "clerk", a),
        "assessor_b": make.user("assessor_b", "assessor", b),  # scope B: the round's owner is outside
    }
    s1 = make.scheme("S", LEAVES, categories=("机关", "企业"), name="机关党建考核")
    s2 = make.scheme("S", LEAVES, categories=("机关", "企业"), name="机关党建考核", version=2)
    t = make.scheme("T", LEAVES, categories=("机关", "企业"), name="另一方案")
    r1 = make.round(s1, root, [a, b, c], code="R1", phase="final")
    x = make.round(t, root, [a, b], code="X", phase="final")
    r2 = make.round(s2, root, [a, b, c, d], code="R2", phase="review")
    put_scores(session, r1, users["assessor"], {
        "A": {"1.1": "36", "1.2": "16", "2.1": "28"},
        "B": {"1.1": "36", "1.2": "18", "2.1": "36"},
        "C": {"1.1": "10", "1.2": "10", "2.1": "10"},
    })
    put_scores(session, x, users["assessor"], {"A": {"1.1": "1"}, "B": {"1.1": "40"}})
    put_scores(session, r2, users["assessor"], {
        "A": {"1.1": "38", "1.2": "18", "2.1": "36"},
        "B": {"1.1": "30", "1.2": "20", "2.1": "30"},
        "C": {"1.1": "20", "1.2": "10"},
    })
    session.commit()
    return SimpleNamespace(root=root, a=a, b=b, c=c, d=d, s1=s1, s2=s2, r1=r1, r2=r2, x=x, **users)


@pytest.fixture
def ex(make, session):
    return build_example(make, session)
