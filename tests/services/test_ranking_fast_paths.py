"""compute_ranking takes shortcuts for large rounds (cell means aggregated in SQL as integer
cents, one Decimal per distinct aggregate, targets as plain columns, a scoring plan per
category): on a small random round it must agree with the straightforward computation."""
from __future__ import annotations

import random
from decimal import Decimal as D

import pytest

from scorecard.domain.numbers import q2
from scorecard.domain.scoring import leaf_final, rank_competition
from scorecard.models import Score
from scorecard.services.rounds.ranking import compute_ranking

LEAVES = [
    ("1.1", "第一议题", "12.5", "direct", {}, "1", "政治建设", ()),
    ("1.2", "学习教育", "7.5", "direct", {}, "1", "政治建设", ("机关",)),
    ("2.1", "组织生活", "30", "direct", {}, "2", "组织建设", ()),
    ("2.2", "发展党员", "20", "direct", {}, "2", "组织建设", ("事业",)),
    ("3.1", "服务群众", "30", "direct", {}, "3", "服务群众", ()),
]


@pytest.mark.parametrize("trimmed", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_report_matches_straightforward_computation(make, session, trimmed, seed):
    rng = random.Random(seed)
    root = make.org("GW", "机关工委", kind="党工委")
    scheme = make.scheme(leaves=LEAVES, categories=("机关", "事业"))
    orgs = [make.org(f"U{i:02d}", None, root, rng.choice(["机关", "事业"]), rng.choice([None, "第一片组", "第二片组"]))
            for i in range(14)]
    rnd = make.round(scheme, root, orgs, trimmed=trimmed)
    assessors = [make.user(f"kh{i}", "assessor", root) for i in range(6)]
    leaves = {i.code: i for i in scheme.indicators if i.parent_id is not None}
    points: dict[tuple[int, str], list[D]] = {}
    for t in rnd.targets:
        for code, leaf in leaves.items():
            for a in rng.sample(assessors, rng.choice([0, 1, 2, 3, 5, 6])):
                p = (leaf.max_points * D(rng.randint(0, 100)) / 100).quantize(D("0.01"))
                session.add(Score(target=t, indicator=leaf, assessor=a, input={"value": str(p)}, points=p))
                points.setdefault((t.id, code), []).append(p)
    session.flush()

    report = compute_ranking(session, rnd)

    by_target = {r.target_id: r for r in report.rows}
    assert report.categories == list(dict.fromkeys(t.category.name for t in sorted(rnd.targets, key=lambda t: t.id)))
    for t in rnd.targets:
        row = by_target[t.id]
        applicable = [c for c, leaf in leaves.items()
                      if not leaf.categories or t.category.name in {c.name for c in leaf.categories}]
        expected = {c: leaf_final(points.get((t.id, c), []), trimmed) for c in applicable}
        assert list(row.leaf_scores) == applicable
        assert {c: str(v) for c, v in row.leaf_scores.items()} == {c: str(v) for c, v in expected.items()}
        tops = {}
        for c in applicable:
            tops[c.split(".")[0]] = tops.get(c.split(".")[0], D(0)) + (expected[c] or D(0))
        assert {k: str(v) for k, v in row.subtotals.items()} == {k: str(q2(v)) for k, v in tops.items()}
        assert str(row.base_raw) == str(q2(sum((v or D(0) for v in expected.values()), D(0))))
        assert row.applicable_full == sum((leaves[c].max_points for c in applicable), D(0))
        assert row.missing == sum(1 for v in expected.values() if v is None)
        assert (row.org_code, row.org_name, row.category) == (t.org.code, t.org.name, t.category.name)
        assert row.group == (t.org.group.name if t.org.group else "")
    for category in report.categories:
        rows = report.rows_of(category)
        assert [r.rank for r in rows] == sorted(rank_competition([(r.total,) for r in rows]))
