"""The explainable score card (评分卡) of one round target: every applicable leaf with its rule
text, each assessor's score and comment, the leaf's final score and deductions, first-level
subtotals, bonus/penalty items, 一票否决 and tier override with their reasons, total, rank,
tier and the change since the previous round of the same scheme family.

One read model (`ScoreCard`) feeds the HTML page and the printable workbook, which render the
leaf table from the same column spec (exports/cards.py `card_columns`), and the round's compact
评分卡 analysis report (`round_cards`; exports/report_columns.py).

Numbers come from the ranking (services/rounds/ranking.py), so the card always agrees with the
ranking page and workbook; for a finalized round that is the frozen snapshot (rank, tier, leaf
scores, organisation name as published). Assessors' individual inputs are read from the score
rows, which can no longer change once a round is past 审核评分.

Extra per-leaf columns (self-score, cited evidence) come from the providers in extras.py: each
fills `leaf.extras[key]` and declares its `CardExtra` column.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from scorecard.domain.ranking import Ranking, RankingRow
from scorecard.domain.rules import RULE_LABELS, RuleError, deductions_of, describe_input
from scorecard.models import Round, RoundTarget, Scheme, Score, User
from scorecard.services import permissions
from scorecard.services.cards.extras import LEAF_EXTRAS
from scorecard.services.cards.model import (
    CardAdjustment,
    CardAssessor,
    CardEntry,
    CardLeaf,
    CardPrevious,
    CardTop,
    ScoreCard,
)
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.rounds.ranking import ranking_for, round_structure


def build_card(session: Session, actor: User, target: RoundTarget, today: dt.date | None = None) -> ScoreCard:
    """The full card of one target: with the previous round and the extra per-leaf columns."""
    permissions.ensure(permissions.why_not_view_card(actor, target))
    ranking = ranking_for(session, target.round, today, category_id=target.category_id)
    row = next((r for r in ranking.rows if r.target_id == target.id), None)
    if row is None:  # a target is always in its round's ranking; guard against stale snapshots
        raise PermissionDenied("该考核对象不在本轮结果中")
    card = _score_card(ranking, target, row, _scores(session, [target.id])[target.id])
    _previous(session, target, card)
    for provider in LEAF_EXTRAS:  # extra per-leaf columns (self-score, cited evidence)
        card.extras.extend(provider(session, target, card))
    return card


def round_cards(session: Session, actor: User, rnd: Round, category: str | None = None,
                today: dt.date | None = None) -> tuple[Ranking, list[ScoreCard]]:
    """The cards of a round's targets (one category, or all) for the 评分卡 analysis report."""
    if not permissions.can_view_ranking(actor, rnd):
        raise PermissionDenied()
    ranking = ranking_for(session, rnd, today)
    if category and category not in ranking.categories:
        raise ServiceError(f"本轮没有考核类别“{category}”", "category")
    return ranking, cards_of(session, actor, rnd, ranking, category)


def withheld(actor: User, rnd: Round, category: str | None = None) -> list[RoundTarget]:
    """The targets (of one category, or all) whose cards the actor may not see yet: their home
    unit while scores are in progress (permissions.why_not_view_scores); reports leave them out."""
    return [t for t in rnd.targets
            if (not category or (t.category is not None and t.category.name == category))
            and not permissions.can_view_scores(actor, t)]


def cards_of(session: Session, actor: User, rnd: Round, ranking: Ranking,
             category: str | None = None) -> list[ScoreCard]:
    """Cards of the ranking's rows (by category, then rank), read with one query for all scores.
    Without the previous round and the extra columns, which only the one-target card shows.
    Targets the actor may not see scores of (withheld) are left out."""
    order = {c: i for i, c in enumerate(ranking.categories)}
    rows = sorted((r for r in ranking.rows if not category or r.category == category),
                  key=lambda r: (order.get(r.category, len(order)), r.rank, r.org_code))
    targets = {t.id: t for t in rnd.targets if permissions.can_view_scores(actor, t)}
    rows = [r for r in rows if r.target_id in targets]  # a snapshot may name a removed target
    scores = _scores(session, [r.target_id for r in rows])
    return [_score_card(ranking, targets[r.target_id], r, scores[r.target_id]) for r in rows]


def _scores(session: Session, target_ids: list[int]) -> dict[int, list[Score]]:
    """Each target's score rows, in the order they were entered."""
    found: dict[int, list[Score]] = {i: [] for i in target_ids}
    for s in session.scalars(select(Score).where(Score.target_id.in_(target_ids))
                             .options(selectinload(Score.assessor)).order_by(Score.id)):
        found[s.target_id].append(s)
    return found


def _score_card(ranking: Ranking, target: RoundTarget, row: RankingRow, scores: list[Score]) -> ScoreCard:
    rnd = target.round
    assessors, tops = _tops(round_structure(rnd), row, scores)
    return ScoreCard(
        target_id=target.id, round_id=rnd.id, round_code=ranking.round_code, round_name=ranking.round_name,
        scheme_code=rnd.scheme.code, scheme_name=ranking.scheme_name, scheme_version=ranking.scheme_version,
        issuer=ranking.issuer, date=ranking.date, phase=ranking.phase, final=ranking.final, trimmed=rnd.trimmed,
        org_code=row.org_code, org_name=row.org_name, category=row.category,
        category_size=len(ranking.rows_of(row.category)), full_marks=ranking.full_marks,
        converted=bool(rnd.scheme.convert and row.applicable_full not in (0, ranking.full_marks)),
        base_raw=row.base_raw, applicable_full=row.applicable_full, base=row.base, bonus=row.bonus,
        penalty=row.penalty, total=row.total, rank=row.rank, tier=row.tier, computed_tier=row.computed_tier,
        veto=target.veto, veto_reason=target.veto_reason,
        veto_capped=any("等次已封顶" in n for n in row.notes),
        override_tier=target.tier_override, override_reason=target.override_reason,
        notes=list(row.notes), missing=row.missing, assessors=assessors, tops=tops,
        adjustments=_adjustments(ranking, row), previous=None,
    )


def _describe(st, code: str, data: dict) -> tuple[str, list[tuple[Decimal, str]]]:
    try:
        rule = st.rule(code)
        return describe_input(rule, data), deductions_of(rule, data)
    except (RuleError, KeyError, TypeError, ValueError):
        return "", []


def _tops(st, row: RankingRow, scores: list[Score]) -> tuple[list[CardAssessor], list[CardTop]]:
    by_leaf: dict[int, list[Score]] = defaultdict(list)
    seen: dict[int, str] = {}
    for s in scores:
        by_leaf[s.indicator_id].append(s)
        seen.setdefault(s.assessor_id, s.assessor.display_name)
    tops: dict[str, CardTop] = {}
    for ind in st.leaves_for(row.category):
        top_ind = st.by_code[st.top_of[ind.code]]
        top = tops.setdefault(top_ind.code, CardTop(top_ind.code, top_ind.name, Decimal(0),
                                                    row.subtotals.get(top_ind.code), []))
        top.full += ind.max_points
        entries = {}
        for s in by_leaf[ind.id]:
            detail, deds = _describe(st, ind.code, s.input)
            entries[s.assessor_id] = CardEntry(s.assessor_id, s.assessor.display_name, s.points,
                                               s.comment or "", detail, deds)
        top.leaves.append(CardLeaf(
            code=ind.code, name=ind.name, top_code=top_ind.code, max_points=ind.max_points,
            rule_label=RULE_LABELS.get(ind.rule_type, ind.rule_type), rule_text=ind.rule_text or "",
            entries=entries, final=row.leaf_scores.get(ind.code),
        ))
    assessors = [CardAssessor(i, name) for i, name in sorted(seen.items(), key=lambda kv: (kv[1], kv[0]))]
    return assessors, list(tops.values())


def _adjustments(ranking: Ranking, row: RankingRow) -> list[CardAdjustment]:
    return [CardAdjustment(a.kind, a.item_code, a.item_name, a.points, a.reason)
            for a in ranking.adjustments if a.org_code == row.org_code and a.category == row.category]


def previous_round(session: Session, target: RoundTarget) -> tuple[Round, RoundTarget] | None:
    """The latest earlier round of the same scheme family (Scheme.code) that assessed the same
    organisation, with its target; None when there is none."""
    rnd = target.round
    earlier = or_(Round.created_at < rnd.created_at, and_(Round.created_at == rnd.created_at, Round.id < rnd.id))
    found = session.execute(
        select(Round, RoundTarget).join(Scheme, Round.scheme_id == Scheme.id)
        .join(RoundTarget, RoundTarget.round_id == Round.id)
        .where(Scheme.code == rnd.scheme.code, Round.id != rnd.id, earlier, RoundTarget.org_id == target.org_id)
        .order_by(Round.created_at.desc(), Round.id.desc()).limit(1)
    ).first()
    return (found[0], found[1]) if found else None


def _previous(session: Session, target: RoundTarget, card: ScoreCard) -> None:
    found = previous_round(session, target)
    if found is None:
        return
    prnd, ptarget = found
    ranking = ranking_for(session, prnd, category_id=ptarget.category_id)
    prow = next((r for r in ranking.rows if r.target_id == ptarget.id), None)
    if prow is None:
        return
    card.previous = CardPrevious(prnd.code, prnd.name, ranking.phase, prow.total, prow.rank, prow.tier,
                                 prow.category, card.total - prow.total)
    for top in card.tops:
        top.previous = prow.subtotals.get(top.code)




