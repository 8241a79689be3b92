"""One target of a round, explained (the per-target page): every applicable leaf with each
assessor's input, the first-level subtotals, base (and 折算), bonus/penalty items, total, rank,
tier and notes."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scorecard.domain.ranking import Ranking, RankingRow
from scorecard.domain.ranking_rules import explain
from scorecard.domain.rules import RULE_LABELS, RuleError, describe_input
from scorecard.models import RoundTarget, Score, User
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied
from scorecard.services.rounds.ranking import ranking_for, ranking_rules, round_structure
from scorecard.services.schemes.structure import Structure


@dataclass
class TargetPage:
    report: Ranking  # the target's category's
    row: RankingRow | None  # None: not in the report (no category rows yet)
    org_name: str  # as frozen when 定档
    converted: bool  # 折算 applied to its base
    groups: list[dict]  # first-level indicators with their applicable leaves and inputs
    adjustments: list[dict]  # bonus/penalty items (with ids while they may be removed)
    editable: bool  # the actor may adjust (items, veto, tier override)
    home_unit: bool  # the target is the actor's home unit (or under it)
    leaf_rules: list[str]  # how a leaf's final score comes about (the ranking rules' first part)


def target_page(session: Session, actor: User, target: RoundTarget) -> TargetPage:
    rnd = target.round
    if not permissions.can_view_ranking(actor, rnd):
        raise PermissionDenied()
    permissions.ensure(permissions.why_not_view_scores(actor, target))
    report = ranking_for(session, rnd, category_id=target.category_id)
    row = next((r for r in report.rows if r.target_id == target.id), None)
    converted = (row is not None and rnd.scheme.convert
                 and row.applicable_full not in (0, report.full_marks))
    return TargetPage(
        report=report, row=row, org_name=row.org_name if row else target.org.name, converted=converted,
        groups=_leaf_groups(session, target, row), adjustments=_adjustment_list(target, report, row),
        editable=permissions.can_adjust(actor, target), home_unit=permissions.is_home_unit(actor, target.org),
        leaf_rules=explain(ranking_rules(rnd))[0][1],
    )


def _describe(st: Structure, code: str, data: dict) -> str:
    # An input saved under an older rule may no longer parse: show the points without the words.
    try:
        return describe_input(st.rule(code), data)
    except (RuleError, KeyError, TypeError, ValueError):
        return ""


def _leaf_groups(session: Session, target: RoundTarget, row: RankingRow | None) -> list[dict]:
    """Applicable leaves grouped under their first level, with every assessor's input."""
    st = round_structure(target.round)
    scores = session.scalars(select(Score).where(Score.target_id == target.id)
                             .options(selectinload(Score.assessor)).order_by(Score.id)).all()
    by_leaf = defaultdict(list)
    for s in scores:
        by_leaf[s.indicator_id].append(s)
    groups: dict[str, dict] = {}
    for leaf in st.leaves_for(target.category.name):
        top = st.by_code[st.top_of[leaf.code]]
        g = groups.setdefault(top.code, {"code": top.code, "name": top.name, "full": 0, "leaves": [],
                                         "subtotal": row.subtotals.get(top.code) if row else None})
        g["full"] += leaf.max_points
        g["leaves"].append({
            "code": leaf.code, "name": leaf.name, "max": leaf.max_points, "rule_text": leaf.rule_text,
            "rule": RULE_LABELS.get(leaf.rule_type, leaf.rule_type),
            "final": row.leaf_scores.get(leaf.code) if row else None,
            "entries": [{"assessor": s.assessor.display_name, "points": s.points, "comment": s.comment,
                         "text": _describe(st, leaf.code, s.input)} for s in by_leaf[leaf.id]],
        })
    return list(groups.values())


def _adjustment_list(target: RoundTarget, report: Ranking, row: RankingRow | None) -> list[dict]:
    """Live rows (with ids, removable) before 定档; the frozen snapshot's afterwards."""
    if report.final and row is not None:
        return [{"id": None, "code": a.item_code, "name": a.item_name, "kind": a.kind, "points": a.points,
                 "reason": a.reason} for a in report.adjustments
                if a.org_code == row.org_code and a.category == row.category]
    return [{"id": a.id, "code": a.item.code, "name": a.item.name, "kind": a.item.kind_label,
             "points": a.points, "reason": a.reason, "by": a.created_by.display_name}
            for a in target.adjustments]
