"""The explainable score card (评分卡) of one round target: every applicable leaf with its rule
text, each assessor's score and comment, the leaf's final score and deductions, first-level
subtotals, bonus/penalty items, 一票否决 and tier override with their reasons, total, rank,
tier and the change since the previous round of the same scheme family.

One read model (`ScoreCard`) feeds the HTML page and the printable workbook; both render the
leaf table from the same column spec (exports/scorecard_card.py `card_columns`).

Numbers come from the ranking report (services/ranking.py), so the card always agrees with the
ranking page and workbook; for a finalized round that is the frozen snapshot (rank, tier, leaf
scores, organisation name as published). Assessors' individual inputs are read from the score
rows, which can no longer change once a round is past 审核评分.

Extra per-leaf columns (self-score, cited evidence, …) are added by `LEAF_EXTRAS` providers:
each fills `leaf.extras[key]` and declares its `CardExtra` column.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from ..domain.rules import RULE_LABELS, RuleError, deductions_of, describe_input
from ..models import Round, RoundTarget, Scheme, Score, User
from . import permissions
from .errors import PermissionDenied
from .ranking import report_for, round_structure
from .report import Report, ReportRow


@dataclass
class CardEntry:
    """One assessor's score of one leaf."""

    assessor_id: int
    assessor: str
    points: Decimal
    comment: str
    detail: str  # the input explained (扣2分（1次×2分）：…, 档次：好（100%）…)
    deductions: list[tuple[Decimal, str]] = field(default_factory=list)


@dataclass
class CardLeaf:
    code: str
    name: str
    top_code: str
    max_points: Decimal
    rule_label: str
    rule_text: str
    entries: dict[int, CardEntry]  # by assessor id
    final: Decimal | None
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def deductions(self) -> list[tuple[str, Decimal, str]]:
        """(assessor, points, reason) of every deduction any assessor recorded."""
        return [(e.assessor, p, r) for e in self.entries.values() for p, r in e.deductions]

    @property
    def deductions_text(self) -> str:
        return "；".join(f"{who}：扣{_pts(p)}分，{reason}" for who, p, reason in self.deductions)

    @property
    def deducted(self) -> Decimal | None:
        """Points lost against the leaf's maximum (None while unscored)."""
        return None if self.final is None else self.max_points - self.final


@dataclass
class CardTop:
    code: str
    name: str
    full: Decimal  # applicable full marks of this first level for the target's category
    subtotal: Decimal | None
    leaves: list[CardLeaf]
    previous: Decimal | None = None  # the same first level's subtotal in the previous round


@dataclass
class CardAdjustment:
    kind: str  # 加分 | 减分
    code: str
    name: str
    points: Decimal
    reason: str


@dataclass
class CardAssessor:
    id: int
    name: str


@dataclass
class CardExtra:
    """An extra per-leaf column: leaf.extras[key] holds its value."""

    key: str
    header: str
    kind: str  # "num" | "text"
    width: int


@dataclass
class CardPrevious:
    round_code: str
    round_name: str
    phase: str
    total: Decimal
    rank: int
    tier: str
    category: str
    delta: Decimal  # this round's total − the previous total


@dataclass
class ScoreCard:
    target_id: int
    round_id: int
    round_code: str
    round_name: str
    scheme_code: str
    scheme_name: str
    scheme_version: int
    issuer: str
    date: str
    phase: str
    final: bool
    trimmed: bool
    org_code: str
    org_name: str
    category: str
    category_size: int
    full_marks: Decimal
    converted: bool
    base_raw: Decimal
    applicable_full: Decimal
    base: Decimal
    bonus: Decimal
    penalty: Decimal
    total: Decimal
    rank: int
    tier: str
    computed_tier: str
    veto: bool
    veto_reason: str | None
    veto_capped: bool
    override_tier: str | None
    override_reason: str | None
    notes: list[str]
    missing: int
    assessors: list[CardAssessor]
    tops: list[CardTop]
    adjustments: list[CardAdjustment]
    previous: CardPrevious | None
    extras: list[CardExtra] = field(default_factory=list)

    @property
    def leaves(self) -> list[CardLeaf]:
        return [leaf for top in self.tops for leaf in top.leaves]

    @property
    def notes_text(self) -> str:
        return "；".join(self.notes)

    @property
    def delta_text(self) -> str:
        """"+2.50" / "-1.00" / "0.00", or "—" when there is no previous round."""
        if self.previous is None:
            return "—"
        d = self.previous.delta
        return f"+{_fix(d)}" if d > 0 else _fix(d)


# Providers of extra per-leaf columns: fn(session, target, card) fills leaf.extras and returns
# the CardExtra columns it added (empty when it has nothing to show).
LeafExtraProvider = Callable[[Session, RoundTarget, ScoreCard], list[CardExtra]]
LEAF_EXTRAS: list[LeafExtraProvider] = []


def build_card(session: Session, actor: User, target: RoundTarget, today: dt.date | None = None) -> ScoreCard:
    if not permissions.can_view_card(actor, target):
        raise PermissionDenied()
    rnd = target.round
    report = report_for(session, rnd, today, category_id=target.category_id)
    row = next((r for r in report.rows if r.target_id == target.id), None)
    if row is None:  # a target is always in its round's report; guard against stale snapshots
        raise PermissionDenied("该考核对象不在本轮结果中")
    assessors, tops = _tops(session, target, row)
    card = ScoreCard(
        target_id=target.id, round_id=rnd.id, round_code=report.round_code, round_name=report.round_name,
        scheme_code=rnd.scheme.code, scheme_name=report.scheme_name, scheme_version=report.scheme_version,
        issuer=report.issuer, date=report.date, phase=report.phase, final=report.final, trimmed=rnd.trimmed,
        org_code=row.org_code, org_name=row.org_name, category=row.category,
        category_size=len(report.rows_of(row.category)), full_marks=report.full_marks,
        converted=bool(rnd.scheme.convert and row.applicable_full not in (0, report.full_marks)),
        base_raw=row.base_raw, applicable_full=row.applicable_full, base=row.base, bonus=row.bonus,
        penalty=row.penalty, total=row.total, rank=row.rank, tier=row.tier, computed_tier=row.computed_tier,
        veto=target.veto, veto_reason=target.veto_reason,
        veto_capped=any("等次已封顶" in n for n in row.notes),
        override_tier=target.tier_override, override_reason=target.override_reason,
        notes=list(row.notes), missing=row.missing, assessors=assessors, tops=tops,
        adjustments=_adjustments(report, row), previous=None,
    )
    _previous(session, target, card)
    for provider in LEAF_EXTRAS:
        card.extras.extend(provider(session, target, card))
    return card


def _describe(st, code: str, data: dict) -> tuple[str, list[tuple[Decimal, str]]]:
    try:
        rule = st.rule(code)
        return describe_input(rule, data), deductions_of(rule, data)
    except (RuleError, KeyError, TypeError, ValueError):
        return "", []


def _tops(session: Session, target: RoundTarget, row: ReportRow) -> tuple[list[CardAssessor], list[CardTop]]:
    st = round_structure(target.round)
    scores = session.scalars(select(Score).where(Score.target_id == target.id)
                             .options(selectinload(Score.assessor)).order_by(Score.id)).all()
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


def _adjustments(report: Report, row: ReportRow) -> list[CardAdjustment]:
    return [CardAdjustment(a.kind, a.item_code, a.item_name, a.points, a.reason)
            for a in report.adjustments if a.org_code == row.org_code and a.category == row.category]


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
    report = report_for(session, prnd, category_id=ptarget.category_id)
    prow = next((r for r in report.rows if r.target_id == ptarget.id), None)
    if prow is None:
        return
    card.previous = CardPrevious(prnd.code, prnd.name, report.phase, prow.total, prow.rank, prow.tier,
                                 prow.category, card.total - prow.total)
    for top in card.tops:
        top.previous = prow.subtotals.get(top.code)


def _fix(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def _pts(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


from . import scorecard_card_extras  # noqa: E402,F401  (registers the self-score/evidence columns)
