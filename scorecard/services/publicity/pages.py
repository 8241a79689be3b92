"""What the 公示 pages show, read in one call per page: the unit's targets (我的考核), one target's
published result with its appeals and nominations, and the assessors' round overview."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from scorecard.models import (
    Appeal,
    Evidence,
    EvidenceCitation,
    Nomination,
    Organisation,
    Round,
    RoundTarget,
    SchemeItem,
    User,
)
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied
from scorecard.services.publicity import appeals as appeals_svc
from scorecard.services.publicity import nominations as nom_svc
from scorecard.services.publicity.citations import cited, library_for
from scorecard.services.rounds.ranking import ranking_for, round_structure
from scorecard.services.scoring import votes as votes_svc
from scorecard.services.scoring.leaf_sources import collect


def my_targets(session: Session, actor: User) -> list[RoundTarget]:
    """我的考核: the unit's targets (its organisation and subtree) in every round, newest first."""
    if not permissions.is_unit(actor):
        raise PermissionDenied()
    return list(session.scalars(
        select(RoundTarget).join(Organisation, RoundTarget.org_id == Organisation.id)
        .join(Round, RoundTarget.round_id == Round.id)
        .where(Organisation.path.startswith(actor.scope_org.path)).order_by(Round.id.desc(), Organisation.path)
    ))


def may_open_target(actor: User, target: RoundTarget) -> bool:
    """The target's 公示 page: its result once published, or its nominations before."""
    return (permissions.can_view_result(actor, target) or permissions.can_nominate(actor, target)
            or permissions.is_own_unit(actor, target))


@dataclass
class TargetPage:
    target: RoundTarget
    published: bool
    window: str
    can_appeal: bool
    can_nominate: bool
    unit: bool                          # the actor is a 填报员 (links back to 我的考核)
    row: object | None = None           # the ranking row (RankingRow) once published
    adjustments: list = field(default_factory=list)
    leaves: list[dict] = field(default_factory=list)
    nominations: list[Nomination] = field(default_factory=list)
    bonus_items: list[SchemeItem] = field(default_factory=list)
    library: list[Evidence] = field(default_factory=list)
    nom_evidence: dict[int, list[EvidenceCitation]] = field(default_factory=dict)
    appeal_evidence: dict[int, list[EvidenceCitation]] = field(default_factory=dict)


def _breakdown(session: Session, target: RoundTarget, row) -> list[dict]:
    """Every applicable leaf: max, final score, where it comes from, vote counts, appeal."""
    st = round_structure(target.round)
    sources = collect(session, target.round, st)
    tallies = votes_svc.tally(session, target, st)
    appeals = {a.indicator_id: a for a in appeals_svc.for_target(session, target)}
    out = []
    for leaf in st.leaves_for(target.category.name):
        final = row.leaf_scores.get(leaf.code) if row else None
        outcome = sources.outcome(target.id, leaf.code, final)
        out.append({"leaf": leaf, "final": final, "source": outcome.source_label if outcome.replaced else "",
                    "tally": tallies.get(leaf.code), "appeal": appeals.get(leaf.id)})
    return out


def target_page(session: Session, actor: User, target: RoundTarget, today: dt.date) -> TargetPage:
    if not may_open_target(actor, target):
        raise PermissionDenied()
    rnd = target.round
    unit = permissions.is_unit(actor)
    noms = nom_svc.for_target(session, target)
    page = TargetPage(
        target=target, published=rnd.results_published, window=appeals_svc.window_state(rnd, today),
        can_appeal=permissions.can_appeal(actor, target, today),
        can_nominate=permissions.can_nominate(actor, target), unit=unit, nominations=noms,
        bonus_items=[i for i in rnd.scheme.items if i.kind == "bonus"],
        library=library_for(session, actor, target) if unit else [],
        nom_evidence=cited(session, "nomination", [n.id for n in noms]),
        appeal_evidence=cited(session, "appeal", [a.id for a in appeals_svc.for_target(session, target)]),
    )
    if page.published:
        report = ranking_for(session, rnd)
        page.row = next((r for r in report.rows if r.target_id == target.id), None)
        if page.row is not None:
            page.adjustments = [a for a in report.adjustments
                                if a.org_code == page.row.org_code and a.category == page.row.category]
        page.leaves = _breakdown(session, target, page.row)
    return page


@dataclass
class RoundPage:
    rnd: Round
    targets: list[RoundTarget]
    window: str
    appeals: list[Appeal]
    open_appeals: int
    nominations: list[Nomination]
    answerable: dict[int, bool]         # by appeal id
    appeal_evidence: dict[int, list[EvidenceCitation]]
    nom_evidence: dict[int, list[EvidenceCitation]]
    decidable: dict[int, bool]          # by target id
    verifiable: dict[int, bool]
    votable: dict[int, bool]


def round_page(session: Session, actor: User, rnd: Round, today: dt.date) -> RoundPage:
    """The assessors' overview: window, appeals to answer, nominations to decide, input links."""
    if not permissions.can_manage_publicity(actor, rnd):
        raise PermissionDenied()
    appeals = appeals_svc.for_round(session, rnd)
    noms = nom_svc.for_round(session, rnd.id)
    return RoundPage(
        rnd=rnd, targets=sorted(rnd.targets, key=lambda t: (t.category_id, t.org.code)),
        window=appeals_svc.window_state(rnd, today), appeals=appeals,
        open_appeals=appeals_svc.open_count(session, rnd), nominations=noms,
        answerable={a.id: permissions.can_answer_appeal(actor, a.target) for a in appeals},
        appeal_evidence=cited(session, "appeal", [a.id for a in appeals]),
        nom_evidence=cited(session, "nomination", [n.id for n in noms]),
        decidable={t.id: permissions.can_decide_nomination(actor, t) for t in rnd.targets},
        verifiable={t.id: permissions.can_verify(actor, t) for t in rnd.targets},
        votable={t.id: permissions.can_enter_votes(actor, t) for t in rnd.targets},
    )
