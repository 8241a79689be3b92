"""Aggregation of a round: leaf finals, bonus, base, conversion, totals,
ranks and tiers (DESIGN §2 "Numbers" 2–6)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from scorecard.domain.numbers import ZERO, fmt, plain, q2, q2_fraction, to_decimal
from scorecard.domain.tiers import TierSpec, apply_veto_and_override, assign_tiers, check_tiers


def leaf_final(values: Sequence[Decimal], trimmed: bool) -> Decimal | None:
    """Mean of the assessors' scores (None if none); with trimmed and at
    least 5 values one highest and one lowest are dropped first. Rounded
    half up once, exactly."""
    nums = sorted(to_decimal(v) for v in values)
    if not nums:
        return None
    if trimmed and len(nums) >= 5:
        nums = nums[1:-1]
    total = sum(nums, ZERO)
    if total.as_tuple().exponent >= -2:
        # Fast path (scores have ≤ 2 decimals): exact integer cents, half away from zero.
        cents, n = abs(int(total.scaleb(2))), len(nums)
        rounded = (2 * cents + n) // (2 * n)
        return Decimal(-rounded if total < 0 else rounded).scaleb(-2)
    return q2_fraction(Fraction(total) / len(nums))


def leaf_final_cents(total: int, count: int, low: int, high: int, trimmed: bool) -> Decimal | None:
    """leaf_final from aggregates of the assessors' scores in integer cents (Σ, n, min, max),
    as a database computes them; the same result as leaf_final for scores with ≤ 2 decimals."""
    if count == 0:
        return None
    if trimmed and count >= 5:
        total, count = total - low - high, count - 2
    rounded = (2 * abs(total) + count) // (2 * count)
    return Decimal(-rounded if total < 0 else rounded).scaleb(-2)


def counted(points: Decimal, cap: Decimal | None) -> Decimal:
    """What one bonus or penalty item counts in the total: Σ of its entries, at most its cap
    (单项上限), however many times it was entered."""
    p = to_decimal(points)
    return p if cap is None else min(p, to_decimal(cap))


def _items_total(items: Sequence[tuple[Decimal, Decimal | None]], word: str) -> Decimal:
    total = ZERO
    for points, cap in items:
        if to_decimal(points) < 0:
            raise ValueError(f"{word}不能为负数：{fmt(to_decimal(points))}")
        total += counted(points, cap)
    return total


def bonus_total(items: Sequence[tuple[Decimal, Decimal | None]],
                scheme_cap: Decimal | None) -> Decimal:
    """Σ min(points, item cap), then capped by the scheme's bonus cap."""
    total = _items_total(items, "加分")
    if scheme_cap is not None:
        total = min(total, to_decimal(scheme_cap))
    return q2(total)


def penalty_total(items: Sequence[tuple[Decimal, Decimal | None]]) -> Decimal:
    """Σ min(points, item cap): a penalty item never subtracts more than its cap."""
    return q2(_items_total(items, "减分"))


def cap_note(kind_label: str, name: str, points: Decimal, cap: Decimal | None) -> str | None:
    """The 备注 of an item whose entries exceed its cap (None when the cap did not apply)."""
    if cap is None or to_decimal(points) <= to_decimal(cap):
        return None
    return f"{kind_label}项“{name}”累计{plain(points)}分，按单项上限{plain(cap)}分计"


def rank_competition(values: Sequence[tuple]) -> list[int]:
    """Competition ranks ("1224") of keys compared descending; the result is
    in input order. Equal keys share a rank, the next rank skips."""
    order = sorted(range(len(values)), key=lambda i: values[i], reverse=True)
    ranks = [0] * len(values)
    for pos, i in enumerate(order):
        prev = order[pos - 1] if pos else None
        ranks[i] = ranks[prev] if prev is not None and values[i] == values[prev] else pos + 1
    return ranks


@dataclass
class SchemeSpec:
    full_marks: Decimal
    convert: bool
    bonus_cap: Decimal | None
    leaves: list[tuple[str, Decimal, str]]  # (leaf code, max, top-level code) in order
    applicable: Mapping[str, frozenset[str]]  # category -> applicable leaf codes
    top_codes: list[str]
    tiers: list[TierSpec]
    veto_cap: str | None = None  # tier name a veto caps at (None: the lowest tier)
    tie_break: list[str] = field(default_factory=list)  # top-level codes, in order


@dataclass(slots=True)  # 10,000 per round: no per-instance __dict__
class TargetInput:
    key: str
    category: str
    leaf_scores: Mapping[str, Decimal | None]  # final leaf scores; None = not scored (0)
    bonus: Decimal = ZERO  # already capped via bonus_total
    penalty: Decimal = ZERO
    veto: bool = False
    override_tier: str | None = None


@dataclass(slots=True)
class TargetResult:
    key: str
    category: str
    subtotals: dict[str, Decimal]  # top code → Σ applicable leaves under it
    base_raw: Decimal
    applicable_full: Decimal
    base: Decimal
    bonus: Decimal
    penalty: Decimal
    total: Decimal
    rank: int
    tier: str
    computed_tier: str  # after thresholds and quotas, before veto/override
    quota_overrun: bool
    veto_capped: bool
    overridden: bool
    missing: int  # applicable leaves not scored yet


def _applicable(spec: SchemeSpec, category: str) -> list[tuple[str, Decimal, str]]:
    if category in spec.applicable:
        codes = spec.applicable[category]
        return [leaf for leaf in spec.leaves if leaf[0] in codes]
    if not spec.applicable:
        return list(spec.leaves)
    raise ValueError(f"类别「{category}」不在方案类别中")


@dataclass
class _Plan:
    """A category's applicable leaves, prepared once per category rather than per target."""
    leaves: list[tuple[str, Decimal, str]]  # (leaf code, max, top-level code), max as Decimal
    tops: list[str]  # top-level codes with applicable leaves, in the scheme's order
    full: Decimal  # Σ max of the applicable leaves


def _plan(spec: SchemeSpec, category: str) -> _Plan:
    leaves = [(code, to_decimal(top), top_code) for code, top, top_code in _applicable(spec, category)]
    order = {c: i for i, c in enumerate(spec.top_codes)}
    tops = sorted(dict.fromkeys(top_code for _, _, top_code in leaves), key=lambda c: order.get(c, len(order)))
    return _Plan(leaves, tops, sum((top for _, top, _ in leaves), ZERO))


def _score(spec: SchemeSpec, plan: _Plan, t: TargetInput) -> TargetResult:
    """Everything but rank and tiers."""
    sub = dict.fromkeys(plan.tops, ZERO)
    base_raw = ZERO
    missing = 0
    scores = t.leaf_scores
    for code, top, top_code in plan.leaves:
        value = scores.get(code)
        if value is None:
            missing += 1
            continue
        v = to_decimal(value)
        if not ZERO <= v <= top:
            raise ValueError(f"指标 {code} 的得分 {fmt(v)} 超出 0 到 {fmt(top)} 的范围")
        sub[top_code] += v
        base_raw += v
    subtotals = {c: q2(v) for c, v in sub.items()}
    full, full_marks = plan.full, to_decimal(spec.full_marks)
    base = base_raw
    if spec.convert and full not in (ZERO, full_marks):
        base = q2_fraction(Fraction(base_raw) * Fraction(full_marks) / Fraction(full))
    bonus = to_decimal(t.bonus)
    if spec.bonus_cap is not None:
        bonus = min(bonus, to_decimal(spec.bonus_cap))
    penalty = to_decimal(t.penalty)
    return TargetResult(
        key=t.key, category=t.category, subtotals=subtotals, base_raw=q2(base_raw),
        applicable_full=q2(full), base=q2(base), bonus=q2(bonus), penalty=q2(penalty),
        total=q2(base + bonus - penalty), rank=0, tier="", computed_tier="",
        quota_overrun=False, veto_capped=False, overridden=False, missing=missing)


def _rank_category(spec: SchemeSpec, group: list[TargetResult],
                   inputs: Mapping[str, TargetInput]) -> list[TargetResult]:
    keys = [(r.total, *(r.subtotals.get(c, ZERO) for c in spec.tie_break)) for r in group]
    for r, rank in zip(group, rank_competition(keys)):
        r.rank = rank
    group = sorted(group, key=lambda r: (r.rank, r.key))
    tiers = assign_tiers([r.rank for r in group], [r.total for r in group], spec.tiers)
    for r, (tier, overrun) in zip(group, tiers):
        t = inputs[r.key]
        r.computed_tier, r.quota_overrun = tier, overrun
        r.tier, r.veto_capped, r.overridden = apply_veto_and_override(
            tier, t.veto, t.override_tier, spec.tiers, spec.veto_cap)
    return group


def compute_round(spec: SchemeSpec, targets: Sequence[TargetInput]) -> list[TargetResult]:
    """Results ordered by category (first appearance), then rank, then key."""
    check_tiers(spec.tiers, spec.veto_cap)
    unknown = [c for c in spec.tie_break if c not in spec.top_codes]
    if unknown:
        raise ValueError("同分比较的一级指标不存在：" + "、".join(unknown))
    inputs: dict[str, TargetInput] = {}
    groups: dict[str, list[TargetResult]] = {}
    plans: dict[str, _Plan] = {}
    for t in targets:
        if t.key in inputs:
            raise ValueError(f"考核对象重复：{t.key}")
        inputs[t.key] = t
        if t.category not in plans:
            plans[t.category] = _plan(spec, t.category)
        groups.setdefault(t.category, []).append(_score(spec, plans[t.category], t))
    out: list[TargetResult] = []
    for group in groups.values():
        out += _rank_category(spec, group, inputs)
    return out
