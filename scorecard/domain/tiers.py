"""Tiers (等次): thresholds, quotas with boundary ties, veto caps and manual
overrides (DESIGN §2 Numbers 6)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction


@dataclass
class TierSpec:
    """A tier; tiers are listed best first and the lowest has threshold 0.
    quota_pct: at most floor(n × pct / 100) targets of a category get it."""

    name: str
    threshold: Decimal
    quota_pct: Decimal | None = None


DEFAULT_TIERS: tuple[tuple[str, str], ...] = (("好", "90"), ("较好", "80"), ("一般", "60"), ("差", "0"))


def default_tiers() -> list[TierSpec]:
    """The example set a new or imported scheme starts with: 好 ≥ 90,
    较好 ≥ 80, 一般 ≥ 60, 差 < 60; no quotas."""
    return [TierSpec(name, Decimal(t)) for name, t in DEFAULT_TIERS]


def quota_size(n: int, pct: Decimal) -> int:
    """floor(n × pct / 100), exactly."""
    return math.floor(Fraction(n) * Fraction(pct) / 100)


def check_tiers(tiers: Sequence[TierSpec], veto_cap: str | None) -> None:
    names = [t.name for t in tiers]
    if len(set(names)) != len(names):
        raise ValueError("等次名称重复：" + "、".join(names))
    if veto_cap is not None and tiers and veto_cap not in names:
        raise ValueError(f"一票否决封顶等次「{veto_cap}」不在等次设置中")
    for t in tiers:
        if t.quota_pct is not None and not 0 <= t.quota_pct <= 100:
            raise ValueError(f"等次「{t.name}」的比例限额应在0到100之间")


def _admit(eligible: list[int], ranks: Sequence[int], cap: int) -> tuple[list[int], list[int]]:
    """(admitted, flagged): the best `cap` eligible targets, plus every target
    tied (same rank) with the last one admitted; when that tie overruns the
    quota, the whole tied group at the boundary is flagged."""
    if cap <= 0 or not eligible:
        return [], []
    if len(eligible) <= cap:
        return eligible, []
    last = ranks[eligible[cap - 1]]
    admitted = [i for i in eligible if ranks[i] <= last]
    if len(admitted) == cap:
        return admitted, []
    return admitted, [i for i in admitted if ranks[i] == last]


def assign_tiers(ranks: Sequence[int], totals: Sequence[Decimal],
                 tiers: Sequence[TierSpec]) -> list[tuple[str, bool]]:
    """Tier and quota-overrun flag of each target of ONE category.

    Targets are given in rank order (ranks ascending). Tiers are processed
    best first; a target gets the best tier whose threshold it reaches and
    whose quota admits it, otherwise it drops to the next tier it
    qualifies for. A target reaching no threshold gets the lowest tier."""
    n = len(ranks)
    if not tiers:
        return [("", False)] * n
    tier_of: list[str | None] = [None] * n
    flagged = [False] * n
    for tier in tiers:
        eligible = [i for i in range(n) if tier_of[i] is None and totals[i] >= tier.threshold]
        if tier.quota_pct is None:
            admitted, over = eligible, []
        else:
            admitted, over = _admit(eligible, ranks, quota_size(n, tier.quota_pct))
        for i in admitted:
            tier_of[i] = tier.name
        for i in over:
            flagged[i] = True
    lowest = tiers[-1].name
    return [(t if t is not None else lowest, f) for t, f in zip(tier_of, flagged)]


def apply_veto_and_override(computed: str, veto: bool, override: str | None,
                            tiers: Sequence[TierSpec], veto_cap: str | None
                            ) -> tuple[str, bool, bool]:
    """(final tier, veto_capped, overridden). A veto caps the tier at
    veto_cap (the lowest tier when the scheme names none); an override then
    replaces the tier."""
    names = [t.name for t in tiers]
    tier, capped = computed, False
    if veto and names:
        cap = veto_cap if veto_cap is not None else names[-1]
        if names.index(computed) < names.index(cap):
            tier, capped = cap, True
    if override is not None:
        if override not in names:
            raise ValueError(f"调整后的等次「{override}」不在等次设置中")
        return override, capped, True
    return tier, capped, False
