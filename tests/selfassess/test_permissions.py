"""Named predicates for self-assessment, review and evidence as a role × action matrix:
own unit, its branch (subtree), another unit, a free assessor, an assessor of that home unit,
a leader, an admin and a clerk."""
from __future__ import annotations

import pytest

from scorecard.models import Evidence
from scorecard.services import permissions as p

WHO = ["unit_a", "unit_b", "assessor", "assessor_a", "leader", "admin", "clerk"]

# action → target ("ta": unit A, "ta1": A's branch, "tb": unit B) → the accounts allowed
MATRIX = {
    "can_view_self": {"ta": {"unit_a", "assessor", "leader", "admin"},
                      "ta1": {"unit_a", "assessor", "leader", "admin"},
                      "tb": {"unit_b", "assessor", "assessor_a", "leader", "admin"}},
    "can_self_assess": {"ta": {"unit_a"}, "ta1": {"unit_a"}, "tb": {"unit_b"}},
    "can_review": {"ta": {"assessor"}, "ta1": {"assessor"}, "tb": {"assessor", "assessor_a"}},
}


@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("target", ["ta", "ta1", "tb"])
def test_target_matrix(sx, action, target):
    allowed = {who for who in WHO if getattr(p, action)(getattr(sx, who), getattr(sx, target))}
    assert allowed == MATRIX[action][target]


@pytest.mark.parametrize("phase, unit, reviewer", [("self", True, True), ("review", True, True),
                                                   ("publicity", False, False), ("final", False, False)])
def test_phases_close_self_assessment_and_review(sx, phase, unit, reviewer):
    sx.rnd.phase = phase
    assert p.can_self_assess(sx.unit_a, sx.ta) is unit
    assert p.can_review(sx.assessor, sx.ta) is reviewer
    assert p.can_view_self(sx.unit_a, sx.ta)  # the unit always sees its own record


@pytest.mark.parametrize("org, uploaders, viewers", [
    ("a", {"unit_a", "clerk"}, {"unit_a", "clerk", "assessor", "leader", "admin"}),
    ("a1", {"unit_a", "clerk"}, {"unit_a", "clerk", "assessor", "leader", "admin"}),
    ("b", {"unit_b"}, {"unit_b", "assessor", "assessor_a", "leader", "admin"}),
])
def test_evidence_matrix(sx, org, uploaders, viewers):
    o = getattr(sx, org)
    ev = Evidence(org=o)
    assert {w for w in WHO if p.can_manage_evidence(getattr(sx, w), o)} == uploaders
    assert {w for w in WHO if p.can_view_library(getattr(sx, w), o)} == viewers
    assert {w for w in WHO if p.can_view_evidence(getattr(sx, w), ev)} == viewers


def test_progress_matrix(sx):
    assert {w for w in WHO if p.can_view_progress(getattr(sx, w), sx.rnd)} == {"assessor", "assessor_a", "leader", "admin"}
