"""Numbers beside the assessors' scores (DESIGN §2, W4 steps 3–5 and 公示):

- which score a leaf ends with when 述职评议 votes, a 实地核验 or a 复核 exist;
- the `vote` rule applied to individual raters' votes;
- the room left for a 绩优推报 bonus under the item cap and the scheme's bonus cap;
- validation of a points value typed by a person (0..max, at most two decimals).

Leaf precedence (documented for users in the ranking rules): 申诉复核改分 > 实地核验 >
述职评议 > mean of the assessors' scores. A later source replaces, never averages with,
an earlier one: each is a finding about the same leaf made with more information.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from scorecard.domain.numbers import ZERO, fmt, places, plain, q2, to_decimal
from scorecard.domain.rule_base import RuleError
from scorecard.domain.rules import LeafRule, leaf_score
from scorecard.domain.scoring import bonus_total

SOURCES = {"assessors": "考核员评分", "votes": "述职评议", "verified": "实地核验", "appeal": "申诉复核"}
PRECEDENCE = ("appeal", "verified", "votes")


@dataclass(frozen=True)
class LeafOutcome:
    points: Decimal | None
    source: str  # a key of SOURCES
    computed: Decimal | None  # the assessors' mean (or votes) the outcome replaced, if any

    @property
    def source_label(self) -> str:
        return SOURCES[self.source]

    @property
    def replaced(self) -> bool:
        return self.source != "assessors"


def resolve_leaf(mean: Decimal | None, overrides: Mapping[str, Decimal | None]) -> LeafOutcome:
    """The leaf's final score: the highest-precedence override present, else the mean."""
    base = mean
    if overrides.get("votes") is not None:
        base = overrides["votes"]
    for key in PRECEDENCE:
        value = overrides.get(key)
        if value is not None:
            computed = mean if key == "votes" else base
            return LeafOutcome(q2(to_decimal(value)), key, computed)
    return LeafOutcome(mean, "assessors", None)


def read_points(value: object, max_points: Decimal, label: str = "分值") -> Decimal:
    """A score typed by a person: a number with at most two decimals within 0..max."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RuleError(f"请填写{label}")
    try:
        d = to_decimal(value)
    except ValueError:
        raise RuleError(f"{label}不是有效的数字：{value}") from None
    if places(d) > 2:
        raise RuleError(f"{label}最多保留两位小数：{plain(d)}")
    top = to_decimal(max_points)
    if not ZERO <= d <= top:
        raise RuleError(f"{label}{plain(d)}超出0到{fmt(top)}的范围")
    return q2(d)


def vote_choices(rule: LeafRule) -> list[str]:
    if rule.type != "vote":
        raise RuleError("该指标的计分方式不是“测评”")
    return [name for name, _ in rule.params["weights"]]


def vote_counts(rule: LeafRule, choices: Iterable[str]) -> dict[str, int]:
    """Votes per option in the rule's order; unknown options raise RuleError."""
    names = vote_choices(rule)
    counts = {name: 0 for name in names}
    for choice in choices:
        if choice not in counts:
            raise RuleError(f"未知的测评选项「{choice}」（可选：{'、'.join(names)}）")
        counts[choice] += 1
    return counts


def vote_points(rule: LeafRule, choices: Sequence[str]) -> Decimal | None:
    """The leaf's score from individual votes (None when nobody voted)."""
    counts = vote_counts(rule, choices)
    if not sum(counts.values()):
        return None
    return leaf_score(rule, {"votes": {k: str(v) for k, v in counts.items()}})


def bonus_room(item_cap: Decimal | None, scheme_cap: Decimal | None, item_points: Decimal,
               items: Sequence[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """Points still countable for one bonus item of a target (None: unlimited).

    item_points: already granted for this item; items: (granted, cap) per bonus item of the
    target (this one included) — the bonus that already counts under the scheme cap.
    """
    rooms = []
    if item_cap is not None:
        rooms.append(to_decimal(item_cap) - to_decimal(item_points))
    if scheme_cap is not None:
        rooms.append(to_decimal(scheme_cap) - bonus_total(items, None))
    if not rooms:
        return None
    return q2(max(ZERO, min(rooms)))


def check_approval(claimed: Decimal, approved: object, room: Decimal | None) -> Decimal:
    """Validate approved points: > 0, ≤ claimed, ≤ the room left under the caps."""
    try:
        value = to_decimal(approved)
    except ValueError:
        raise RuleError(f"核定分值不是有效的数字：{approved}") from None
    if places(value) > 2:
        raise RuleError(f"核定分值最多保留两位小数：{plain(value)}")
    if value <= 0:
        raise RuleError("核定分值必须大于0；不予加分请选择“不通过”并填写原因")
    if value > claimed:
        raise RuleError(f"核定分值{fmt(value)}不能超过申报分值{fmt(claimed)}")
    if room is not None and value > room:
        raise RuleError(f"核定分值{fmt(value)}超过上限：该单位此项最多还能加{fmt(room)}分"
                        "（按该加分项上限和方案加分总上限计算）")
    return q2(value)
