"""A worked example for the score card: two assessors on target A, a deduction each, a bonus
and a penalty, and an earlier round of the same scheme family.

Target A (机关), scheme S1 v2: 1.1 direct 40, 1.2 deduct 2/次 (20), 2.1 grade (40).
  1.1: assessor 38 ("材料略少"), 李四 35 ("学习记录不完整")      → (38+35)/2 = 36.50
  1.2: assessor 扣1次 (18, 三会一课缺记录), 李四 扣2次 (16, 未按期召开支委会) → 17.00
  2.1: assessor 好 (40), 李四 较好 (32)                            → 36.00
  subtotals 1 = 53.50, 2 = 36.00; base 89.50; +B1 1.00 − P1 2.00 → total 88.50 → 较好, rank 1 of 2
Target B: assessor 1.1 30, 1.2 no deduction (20), 2.1 一般 (24) → 74.00 → 一般, rank 2.
Previous round R0 (scheme S1 v1): A = 30 + 20 + 24 = 74.00 (rank 1 of 1, 一般) → change +14.50.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from scorecard.services.rounds import adjustments
from scorecard.services.rounds import lifecycle as rounds_svc
from tests.finalizing import finalize
from tests.rounds.conftest import score

D = Decimal


@pytest.fixture
def card_world(make, session):
    w = make.world()
    w["lisi"] = make.user("lisi", "assessor", w["root"], display_name="李四")
    old_scheme = make.scheme(code="S1", name="机关党建考核", status="archived")
    w["r0"] = make.round(old_scheme, w["root"], [w["a"]], code="R0", phase="review")
    t0 = w["r0"].targets[0]
    score(session, w["assessor"], t0, "1.1", "30")
    score(session, w["assessor"], t0, "1.2", 0)
    score(session, w["assessor"], t0, "2.1", "一般")
    finalize(session, w["assessor"], w["r0"])  # frozen snapshot

    w["scheme"] = make.scheme(code="S1", name="机关党建考核", version=2)
    w["round"] = make.round(w["scheme"], w["root"], [w["a"], w["b"]], code="R1")
    ta, tb = w["round"].targets
    w["ta"], w["tb"] = ta, tb
    a, lisi = w["assessor"], w["lisi"]
    score(session, a, ta, "1.1", "38", "材料略少")
    score(session, lisi, ta, "1.1", "35", "学习记录不完整")
    score(session, a, ta, "1.2", 1)
    save_deduct(session, lisi, ta, 2, "未按期召开支委会")
    score(session, a, ta, "2.1", "好")
    score(session, lisi, ta, "2.1", "较好")
    score(session, a, tb, "1.1", "30")
    score(session, a, tb, "1.2", 0)
    score(session, a, tb, "2.1", "一般")
    bonus, penalty = w["scheme"].items
    adjustments.add_adjustment(session, a, ta, bonus, "1", "获得省级表彰")
    adjustments.add_adjustment(session, a, ta, penalty, "2", "未按期换届")
    session.commit()
    return w


def save_deduct(session, user, target, times, reason):
    from scorecard.services.scoring.scores import save_score

    ind = next(i for i in target.round.scheme.indicators if i.code == "1.2")
    return save_score(session, user, target, ind, {"deductions": [{"times": str(times), "reason": reason}]},
                      check_version=False)
