"""Descriptive statistics for dashboards: histograms of totals, percentages, tier movement
(means and loss rates come from domain/analysis.py).

Pure and exact: every division goes through Fraction and is rounded once, half up, to
two places (numbers.q2_fraction). No floats anywhere.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from scorecard.domain.analysis import average as mean  # noqa: F401  (one implementation of the mean …)
from scorecard.domain.analysis import loss_rate  # noqa: F401  (… and of the loss rate, shared with 失分分析)
from scorecard.domain.numbers import ZERO, plain, q2_fraction, to_decimal


def percent(part: int, whole: int) -> Decimal:
    """part / whole in percent, 0 when whole is 0."""
    return q2_fraction(Fraction(part * 100, whole)) if whole else ZERO


@dataclass(frozen=True)
class Bin:
    label: str
    low: Decimal | None  # inclusive; None = open below
    high: Decimal | None  # exclusive; None = open above


def score_bins(full_marks: Decimal) -> list[Bin]:
    """Ten bins for totals: below 60 % of full marks, eight bins 5 % wide up to full marks,
    and full marks or more (bonus points can lift a total above full marks).
    With 满分 100: <60, 60–65, …, 95–100, ≥100 (lower bound included, upper excluded)."""
    fm = to_decimal(full_marks)
    step = fm * Decimal("0.05")
    start = fm * Decimal("0.6")
    edges = [start + step * i for i in range(9)]
    bins = [Bin(f"{plain(edges[0])}以下", None, edges[0])]
    bins += [Bin(f"{plain(lo)}–{plain(hi)}", lo, hi) for lo, hi in zip(edges, edges[1:])]
    bins.append(Bin(f"{plain(edges[-1])}及以上", edges[-1], None))
    return bins


def bin_index(bins: Sequence[Bin], value: Decimal) -> int:
    v = to_decimal(value)
    for i, b in enumerate(bins):
        if (b.low is None or v >= b.low) and (b.high is None or v < b.high):
            return i
    raise ValueError(f"分数{v}不在任何区间内")  # unreachable with score_bins


def histogram(bins: Sequence[Bin], values: Sequence[Decimal]) -> list[int]:
    counts = [0] * len(bins)
    for v in values:
        counts[bin_index(bins, v)] += 1
    return counts


def tier_move(previous: str, current: str, order: Sequence[str]) -> str:
    """"up", "same" or "down" comparing two tier names by their position in order (best first);
    "same" when equal, "unknown" when either name is not in order."""
    if previous == current:
        return "same"
    if previous not in order or current not in order:
        return "unknown"
    return "up" if order.index(current) < order.index(previous) else "down"
