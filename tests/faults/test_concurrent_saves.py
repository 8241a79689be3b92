"""Two sessions saving the same score cell at the same moment (real threads, separate sessions
and connections): one save wins, the other is refused with StaleData — never a silent overwrite.
Two different assessors scoring the same target × leaf at once both keep their input."""
from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from scorecard.models import AuditEntry, Indicator, RoundTarget, Score, User
from scorecard.services.errors import StaleData
from scorecard.services.scoring.scores import save_score

ROUNDS = 8


@pytest.fixture
def cell(app, session, make):
    w = make.world()
    second = make.user("assessor2", "assessor", w["root"])
    scheme = make.scheme()
    rnd = make.round(scheme, w["root"], [w["a"], w["b"]])
    leaf = next(i for i in scheme.indicators if i.code == "1.1")
    session.commit()
    return {"sessions": app.extensions["scorecard.sessions"], "target": rnd.targets[0].id,
            "leaf": leaf.id, "assessor": w["assessor"].id, "assessor2": second.id}


def _race(cell, jobs):
    """Run jobs [(user_id, value, preload)] in threads that each load the cell in their own
    session, meet at a barrier, then save and commit. Returns one outcome per job."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(k, user_id, value):
        s = cell["sessions"]()
        try:
            actor, tgt, ind = s.get(User, user_id), s.get(RoundTarget, cell["target"]), s.get(Indicator, cell["leaf"])
            mine = s.scalar(select(Score).where(Score.target_id == tgt.id, Score.indicator_id == ind.id,
                                                Score.assessor_id == actor.id))
            seen = mine.version if mine else None  # what the user's page showed
            barrier.wait(timeout=30)
            try:
                save_score(s, actor, tgt, ind, {"value": value}, expected_version=seen)
                s.commit()
                outcomes[k] = "saved"
            except StaleData as exc:
                s.rollback()
                outcomes[k] = exc
        except Exception as exc:  # anything else is a failure of the test
            outcomes[k] = exc
        finally:
            s.close()

    threads = [threading.Thread(target=run, args=(k, u, v)) for k, (u, v) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def _scores(cell):
    s = cell["sessions"]()
    try:
        return s.scalars(select(Score).where(Score.target_id == cell["target"], Score.indicator_id == cell["leaf"])
                         .order_by(Score.assessor_id)).all()
    finally:
        s.close()


def _audits(cell) -> int:
    s = cell["sessions"]()
    try:
        return s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "score"))
    finally:
        s.close()


def test_same_cell_same_account_one_wins_other_refused(cell):
    for n in range(ROUNDS):
        a, b = f"{30 + n}", f"{20 + n}"
        outcomes = _race(cell, [(cell["assessor"], a), (cell["assessor"], b)])
        assert sorted(map(str, outcomes)).count("saved") == 1, outcomes
        loser = next(o for o in outcomes if o != "saved")
        assert isinstance(loser, StaleData) and "已在别处被修改" in loser.message, outcomes
        (score,) = _scores(cell)
        winner = a if outcomes[0] == "saved" else b
        assert score.points == Decimal(winner) and score.version == n + 1  # created once, then +1 per round
    assert _audits(cell) == ROUNDS  # one audit row per accepted save, none for refusals


def test_same_cell_two_assessors_both_kept(cell):
    for n in range(ROUNDS):
        outcomes = _race(cell, [(cell["assessor"], f"{30 + n}"), (cell["assessor2"], f"{20 + n}")])
        assert outcomes == ["saved", "saved"], outcomes
        first, second = _scores(cell)
        assert (first.points, second.points) == (Decimal(30 + n), Decimal(20 + n))
