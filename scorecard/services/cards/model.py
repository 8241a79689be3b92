"""The score card's read model: one `ScoreCard` feeds the card page and its printable workbook, and
the round's 评分卡 analysis report (compact: first levels and leaves, page and workbook)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


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

    @property
    def deducted(self) -> Decimal | None:
        """Points lost against the applicable full marks (None while unscored)."""
        return None if self.subtotal is None else self.full - self.subtotal


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


def _fix(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def _pts(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
