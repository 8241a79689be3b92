"""The per-target score page: its read model (the actor's leaves with their own and the other
assessors' scores, the unit's self-assessment beside them) and saving one leaf from it."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scorecard.domain.numbers import fmt, plain
from scorecard.domain.rules import RULE_LABELS, LeafRule, RuleError, describe_input
from scorecard.models import Indicator, RoundTarget, Score, User
from scorecard.services import permissions
from scorecard.services.rounds.ranking import round_structure
from scorecard.services.schemes.structure import Structure
from scorecard.services.scoring.scores import save_score
from scorecard.services.scoring.self_beside import SelfBeside, self_beside


@dataclass
class LeafView:
    ind: Indicator
    rule: LeafRule
    own: Score | None
    others: list[Score]
    values: dict
    comment: str
    version: str
    error: str | None = None
    error_field: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.ind.code

    @property
    def rule_label(self) -> str:
        return RULE_LABELS.get(self.rule.type, self.rule.type)

    @property
    def points(self) -> Decimal | None:
        return self.own.points if self.own else None

    @property
    def explained(self) -> str:
        return explain(self.rule, self.own)

    @property
    def below_full(self) -> bool:
        return self.points is not None and self.points < self.ind.max_points

    @property
    def grade_options(self) -> list[tuple[str, str, str]]:
        """(level, percent, points) for each grade level."""
        top = self.ind.max_points
        return [(name, f"{plain(Decimal(frac) * 100)}%", fmt(top * Decimal(frac)))
                for name, frac in self.rule.params.get("levels", [])]

    @property
    def vote_options(self) -> list[tuple[int, str, str, str]]:
        """(index, option, weight, entered votes) for each vote option."""
        votes = self.values.get("votes") or {}
        votes = votes if isinstance(votes, dict) else {}
        return [(i, name, weight, str(votes.get(name, "") or ""))
                for i, (name, weight) in enumerate(self.rule.params.get("weights", []))]

    @property
    def other_rows(self) -> list[tuple[str, str, str, str]]:
        """(assessor, points, explanation, comment) of the other assessors' scores."""
        return [(s.assessor.display_name, fmt(s.points), explain(self.rule, s), s.comment or "")
                for s in self.others]

    @property
    def warn_comment(self) -> bool:
        return self.below_full and not self.comment and self.rule.type != "deduct"

    @property
    def direct_points(self) -> bool:
        """The saved input is a plain score (grid / import), not the typed fields."""
        return bool(self.own) and "points" in (self.own.input or {}) and self.rule.type != "direct"


def explain(rule: LeafRule, score: Score | None) -> str:
    if score is None:
        return ""
    try:
        return describe_input(rule, score.input)
    except RuleError:
        return ""


@dataclass
class LeafGroup:
    top: Indicator
    leaves: list[LeafView]


@dataclass
class ScorePage:
    groups: list[LeafGroup]
    summary: dict
    prev: RoundTarget | None
    next: RoundTarget | None
    editable: bool
    self_items: dict[int, SelfBeside]


def score_page(session: Session, actor: User, target: RoundTarget, kept: dict | None = None) -> ScorePage:
    """What the actor's score page of a target shows; `kept` (leaf code → the rejected
    submission and its error) keeps what the user typed on screen."""
    permissions.ensure(permissions.why_not_open_scores(actor, target))
    groups = leaf_groups(session, round_structure(target.round), target, actor, kept)
    prev, nxt = neighbours(actor, target)
    return ScorePage(groups, summary(groups), prev, nxt, permissions.can_score(actor, target),
                     self_beside(session, actor, target))


def _target_scores(session: Session, target: RoundTarget) -> dict[int, list[Score]]:
    rows = session.scalars(
        select(Score).where(Score.target_id == target.id)
        .options(selectinload(Score.assessor)).order_by(Score.id)
    ).all()
    out: dict[int, list[Score]] = {}
    for s in rows:
        out.setdefault(s.indicator_id, []).append(s)
    return out


def leaf_view(st: Structure, ind: Indicator, scores: list[Score], actor: User, kept: dict | None) -> LeafView:
    own = next((s for s in scores if s.assessor_id == actor.id), None)
    others = [s for s in scores if s.assessor_id != actor.id]
    if kept:  # the user's rejected submission stays on screen
        return LeafView(ind, st.rule(ind.code), own, others, kept["values"], kept["comment"],
                        kept["version"], kept.get("error"), kept.get("field"))
    values = dict(own.input) if own and "points" not in (own.input or {}) else {}
    if own and ind.rule_type == "direct" and "points" in own.input:
        values = {"value": own.input["points"]}
    return LeafView(ind, st.rule(ind.code), own, others, values, own.comment if own else "",
                    str(own.version) if own else "")


def leaf_groups(session: Session, st: Structure, target: RoundTarget, actor: User,
                kept: dict | None = None) -> list[LeafGroup]:
    """Applicable leaves of the target's category, grouped by first level (scheme order)."""
    kept = kept or {}
    scores = _target_scores(session, target)
    groups: dict[str, LeafGroup] = {t.code: LeafGroup(t, []) for t in st.tops}
    for ind in st.leaves_for(target.category.name):
        view = leaf_view(st, ind, scores.get(ind.id, []), actor, kept.get(ind.code))
        groups[st.top_of[ind.code]].leaves.append(view)
    return [g for g in groups.values() if g.leaves]


def summary(groups: list[LeafGroup]) -> dict:
    """The actor's own total on this target and how many leaves they have scored."""
    views = [v for g in groups for v in g.leaves]
    scored = [v.points for v in views if v.points is not None]
    return {"total": fmt(sum(scored, Decimal(0))) if scored else "", "scored": len(scored),
            "count": len(views), "full": fmt(sum((v.ind.max_points for v in views), Decimal(0)))}


def neighbours(actor: User, target: RoundTarget) -> tuple[RoundTarget | None, RoundTarget | None]:
    """Previous and next target of the same category that the actor may score (not 回避)."""
    same = [t for t in target.round.targets if t.category_id == target.category_id
            and permissions.in_scope(actor, t.org) and not permissions.is_home_unit(actor, t.org)]
    i = next((k for k, t in enumerate(same) if t.id == target.id), None)
    if i is None:
        return None, None
    return (same[i - 1] if i > 0 else None), (same[i + 1] if i + 1 < len(same) else None)


def leaf_rule(target: RoundTarget, code: str) -> LeafRule | None:
    """The rule of a leaf that applies to the target's category (None: no such leaf here), so
    the web layer knows which typed fields to read."""
    st = round_structure(target.round)
    return st.rule(code) if st.applies(code, target.category.name) else None


@dataclass
class LeafSaved:
    label: str  # "1.1 第一议题"
    points: Decimal | None  # None: cleared
    suggest_comment: bool  # below full, no comment, not a deduct leaf (which has its reasons)


def save_leaf(session: Session, actor: User, target: RoundTarget, code: str, raw: dict | None,
              comment: str, expected_version: int | None) -> LeafSaved:
    """Save (raw None: clear) the actor's score of one leaf from the score page."""
    permissions.ensure(permissions.why_not_score(actor, target))
    st = round_structure(target.round)
    ind = st.leaf(code)
    res = save_score(session, actor, target, ind, raw, comment=comment,
                     expected_version=expected_version, st=st)
    below = res.points is not None and res.points < ind.max_points
    return LeafSaved(f"{ind.code} {ind.name}", res.points,
                     below and not comment and st.rule(code).type != "deduct")
