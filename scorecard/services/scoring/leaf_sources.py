"""Where a leaf's final score comes from, beside the assessors' mean (read by ranking).

For each (target, leaf) the final score is, in order of precedence (domain.adjudication):
1. 申诉复核改分: the `after` score of an appeal answered "changed";
2. 实地核验: the verified score of the latest visit (by visit date, then entry) that
   sampled the leaf and changed it (a sampled leaf confirmed as is changes nothing);
3. 述职评议: the leaf's `vote` rule applied to the counts of the individual raters' votes;
4. otherwise the mean of the assessors' scores (DESIGN §2 Numbers 2).
The replaced value stays recorded (verification item's original, appeal's before) and the
ranking row notes say what replaced what, so every number remains explainable.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scorecard.domain.adjudication import LeafOutcome, resolve_leaf, vote_points
from scorecard.domain.numbers import fmt
from scorecard.domain.scoring import leaf_final
from scorecard.models import Appeal, PanelVote, Round, RoundTarget, Score, VerificationItem, VerificationVisit
from scorecard.services.schemes.structure import Structure


@dataclass
class LeafSources:
    overrides: dict[tuple[int, str], dict[str, Decimal]] = field(default_factory=dict)

    def targets(self) -> set[int]:
        """The targets with a vote, a verification or an appeal on some leaf; every other
        target's final scores are its means (the ranking skips final() for them)."""
        return {target_id for target_id, _ in self.overrides}

    def outcome(self, target_id: int, code: str, mean: Decimal | None) -> LeafOutcome:
        return resolve_leaf(mean, self.overrides.get((target_id, code), {}))

    def final(self, target_id: int, code: str, name: str, mean: Decimal | None) -> tuple[Decimal | None, str | None]:
        """(final score, a note for the ranking row when a verification or an appeal changed it)."""
        out = self.outcome(target_id, code, mean)
        note = None
        if out.source in ("verified", "appeal") and out.computed != out.points:
            before = fmt(out.computed) if out.computed is not None else "未评分"
            note = f"{out.source_label} {code} {name}：{before}→{fmt(out.points)}"
        return out.points, note


def collect(session: Session, rnd: Round, st: Structure, where: list | None = None) -> LeafSources:
    """The round's (or, with `where` clauses on RoundTarget, some targets') replacing sources."""
    where = where if where is not None else [RoundTarget.round_id == rnd.id]
    code_of = {i.id: i.code for i in rnd.scheme.indicators}
    out = LeafSources()

    def put(target_id: int, indicator_id: int, key: str, value: Decimal | None) -> None:
        if value is not None and indicator_id in code_of:
            out.overrides.setdefault((target_id, code_of[indicator_id]), {})[key] = value

    for (target_id, indicator_id), choices in _votes(session, where).items():
        code = code_of.get(indicator_id)
        if code in st.by_code and st.leaf(code).rule_type == "vote":
            put(target_id, indicator_id, "votes", vote_points(st.rule(code), choices))
    for target_id, indicator_id, points in _verified(session, where):
        put(target_id, indicator_id, "verified", points)
    for a in session.scalars(select(Appeal).join(RoundTarget, Appeal.target_id == RoundTarget.id)
                             .where(*where, Appeal.status == "changed")):
        put(a.target_id, a.indicator_id, "appeal", a.after_points)
    return out


def _votes(session: Session, where: list) -> dict[tuple[int, int], list[str]]:
    rows = session.execute(
        select(PanelVote.target_id, PanelVote.indicator_id, PanelVote.choice)
        .join(RoundTarget, PanelVote.target_id == RoundTarget.id).where(*where)
    ).all()
    grouped: dict[tuple[int, int], list[str]] = defaultdict(list)
    for target_id, indicator_id, choice in rows:
        grouped[(target_id, indicator_id)].append(choice)
    return grouped


def _verified(session: Session, where: list) -> list[tuple[int, int, Decimal]]:
    """The latest changing verification per (target, leaf): later rows overwrite earlier ones."""
    rows = session.execute(
        select(VerificationVisit.target_id, VerificationItem.indicator_id, VerificationItem.verified_points)
        .join(VerificationVisit, VerificationItem.visit_id == VerificationVisit.id)
        .join(RoundTarget, VerificationVisit.target_id == RoundTarget.id)
        .where(*where, VerificationItem.verified_points.is_not(None))
        .order_by(VerificationVisit.visit_date, VerificationVisit.id)
    ).all()
    return [(t, i, p) for t, i, p in rows]


def current_final(session: Session, target: RoundTarget, code: str, st: Structure) -> Decimal | None:
    """The leaf's final score right now (what a verification or an appeal would replace)."""
    values = session.scalars(select(Score.points).where(
        Score.target_id == target.id, Score.indicator_id == st.leaf(code).id)).all()
    mean = leaf_final(list(values), target.round.trimmed)
    return collect(session, target.round, st).outcome(target.id, code, mean).points
