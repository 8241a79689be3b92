"""Pure figures behind the analysis workbooks (失分分析, 片组汇总, 两轮对比): exact means, loss
rates and rank/tier movement. Decimal in, Decimal out, every division rounded once half up."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal
from fractions import Fraction
from typing import Iterable, Sequence

from scorecard.domain.numbers import ZERO, q2_fraction


def average(values: Sequence[Decimal]) -> Decimal | None:
    """Mean rounded half up to 0.01; None for no values."""
    if not values:
        return None
    return q2_fraction(Fraction(sum(values, ZERO)) / len(values))


def loss_rate(max_points: Decimal, values: Sequence[Decimal]) -> Decimal | None:
    """Share of the available points lost, in percent: (n·max − Σ) / (n·max) × 100.
    None when nothing was scored or the leaf is worth nothing."""
    if not values or max_points <= 0:
        return None
    available = Fraction(max_points) * len(values)
    return q2_fraction((available - Fraction(sum(values, ZERO))) * 100 / available)


def top_reasons(reasons: Iterable[str], limit: int = 3) -> list[tuple[str, int]]:
    """The most common reasons (stripped, blank ignored), most frequent first; ties keep the
    order in which the reasons first appeared."""
    cleaned = [r.strip() for r in reasons if r and r.strip()]
    counts = Counter(cleaned)
    first: dict[str, int] = {}
    for r in cleaned:
        first.setdefault(r, len(first))
    return sorted(counts.items(), key=lambda kv: (-kv[1], first.get(kv[0], 0)))[:limit]


def rank_move(previous: int | None, current: int | None) -> int | None:
    """Places gained (+) or lost (−) from previous to current rank; None when either is missing."""
    if previous is None or current is None:
        return None
    return previous - current


def tier_move(previous: str | None, current: str | None, order: Sequence[str]) -> str:
    """"升" / "降" / "持平" by position in order (best first); "新纳入" / "未参加" when a side is
    missing; "—" when a tier is not in order."""
    if previous is None:
        return "新纳入"
    if current is None:
        return "未参加"
    if previous == current:
        return "持平"
    if previous not in order or current not in order:
        return "—"
    return "升" if order.index(current) < order.index(previous) else "降"
