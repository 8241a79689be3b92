"""Audit rows written directly (service `record`) at chosen times, for filter and page tests."""
from __future__ import annotations

import datetime as dt

import pytest

from scorecard.services import audit


@pytest.fixture
def logged(make, session):
    """World + a round; 6 hand-made rows with known users, entities, rounds, days and text."""
    w = make.world()
    w["scheme"] = make.scheme()
    w["round"] = make.round(w["scheme"], w["root"], [w["a"], w["b"]])
    w["round2"] = make.round(w["scheme"], w["root"], [w["a"]], code="R2")
    rid, rid2 = w["round"].id, w["round2"].id
    rows = [
        (w["assessor"], "create", "score", 1, None, {"points": "38"}, "材料略少", rid, dt.datetime(2025, 3, 1, 9)),
        (w["assessor"], "veto", "round_target", 2, {"veto": False}, {"veto": True}, "发生严重违纪问题", rid,
         dt.datetime(2025, 3, 2, 10)),
        (w["assessor_a"], "override_tier", "round_target", 3, {"tier_override": None},
         {"tier_override": "一般"}, "经集体研究调整", rid2, dt.datetime(2025, 3, 3, 23, 59)),
        (w["admin"], "update", "scheme", w["scheme"].id, {"name": "旧名称"}, {"name": "机关党建考核方案"},
         "修改方案设置", None, dt.datetime(2025, 3, 4, 0, 0)),
        (w["admin"], "update", "tier", 9, {"threshold": "90"}, {"threshold": "85"}, None, None,
         dt.datetime(2025, 4, 1, 12)),
        (None, "import", "round", rid2, None, {"cells": 3}, "=1+1", None, dt.datetime(2025, 4, 2, 8)),
    ]
    w["entries"] = []
    for user, action, entity, eid, old, new, reason, round_id, at in rows:
        e = audit.record(session, user, action, entity, eid, old=old, new=new, reason=reason, round_id=round_id)
        e.at = at
        w["entries"].append(e)
    session.commit()
    return w
