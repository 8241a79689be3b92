"""What the self-assessment pages show, read in one call per page: the unit's targets, one
target's self-assessment (items, citations, history, the library to cite from) and a round's
progress overview. The views turn these into their view models."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from scorecard.models import (
    Evidence,
    EvidenceCitation,
    Round,
    RoundTarget,
    SelfAssessment,
    SelfItem,
    SelfItemVersion,
    User,
)
from scorecard.services import evidence as evidence_svc
from scorecard.services import permissions
from scorecard.services.clock import local_today
from scorecard.services.errors import PermissionDenied
from scorecard.services.rounds.ranking import round_structure
from scorecard.services.schemes.structure import Structure
from scorecard.services.selfassess import fill


def unit_list(session: Session, actor: User) -> list[tuple[RoundTarget, SelfAssessment | None]]:
    """The unit's targets (newest round first), each with its self-assessment header."""
    return [(t, fill.header(session, t)) for t in fill.unit_targets(session, actor)]


@dataclass
class SelfPage:
    target: RoundTarget
    structure: Structure
    sa: SelfAssessment | None
    today: dt.date
    open: bool                      # new work may be saved / submitted today
    unit: bool                      # the actor fills it in
    reviewer: bool                  # the actor reviews it
    items: dict[int, SelfItem]      # by indicator id
    citations: dict[int, list[EvidenceCitation]]   # by indicator id
    history: dict[int, list[SelfItemVersion]]      # by indicator id
    library: list[Evidence]

    @property
    def status(self) -> str:
        return self.sa.status if self.sa else "not_started"


def self_page(session: Session, actor: User, target: RoundTarget, today: dt.date | None = None) -> SelfPage:
    if not permissions.can_view_self(actor, target):
        raise PermissionDenied()
    sa = fill.header(session, target)
    today = today or local_today()
    by_leaf = fill.items(session, target)
    library = (evidence_svc.library(session, actor, target.org)
               if permissions.can_view_library(actor, target.org) else [])
    return SelfPage(
        target=target, structure=round_structure(target.round), sa=sa, today=today,
        open=fill.is_open(target.round, sa, today),
        unit=permissions.can_self_assess(actor, target), reviewer=permissions.can_review(actor, target),
        items=by_leaf,
        citations={ind: fill.citations(session, item) for ind, item in by_leaf.items()},
        history={ind: fill.history(session, item) for ind, item in by_leaf.items()},
        library=library,
    )


@dataclass
class ProgressPage:
    rnd: Round
    today: dt.date
    rows: list[dict]                               # per category: counts by status
    overdue: list[tuple[RoundTarget, str]]
    heads: dict[int, SelfAssessment | None]        # by target id
    manage: bool                                   # may set the deadlines


def progress_page(session: Session, actor: User, rnd: Round, today: dt.date | None = None) -> ProgressPage:
    if not permissions.can_view_progress(actor, rnd):
        raise PermissionDenied()
    today = today or local_today()
    return ProgressPage(
        rnd=rnd, today=today, rows=fill.progress(session, rnd), overdue=fill.overdue(session, rnd, today),
        heads={t.id: fill.header(session, t) for t in rnd.targets},
        manage=permissions.can_change_round(actor, rnd) and not rnd.is_final,
    )
