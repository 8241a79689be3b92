"""Leaf scoring rules (DESIGN §2 "Leaf scoring rules"): the public façade.

Parameters live in rule_params / rule_text, inputs in rule_inputs; this
module scores an input and explains it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from scorecard.domain.numbers import HUNDRED, fmt, plain, q2_fraction
from scorecard.domain.rule_base import RULE_LABELS, RULE_TYPES, RuleError, rule_type_from_label
from scorecard.domain.rule_inputs import input_from_points, parse_input
from scorecard.domain.rule_params import LeafRule, default_params, normalise_params, validate_params
from scorecard.domain.rule_text import format_params_text, parse_params_text

__all__ = [
    "RULE_TYPES", "RULE_LABELS", "RuleError", "LeafRule", "rule_type_from_label",
    "default_params", "validate_params", "normalise_params",
    "parse_params_text", "format_params_text",
    "parse_input", "leaf_score", "input_from_points", "describe_input", "deductions_of",
]


def _named(pairs: list[list[str]]) -> dict[str, Fraction]:
    return {name: Fraction(value) for name, value in pairs}


def _raw_score(rule: LeafRule, data: Mapping) -> Fraction:
    """The exact (unrounded) score of a normalised input."""
    top = Fraction(rule.max_points)
    if "points" in data:
        return Fraction(data["points"])
    kind = rule.type
    if kind == "direct":
        return Fraction(data["value"])
    if kind == "deduct":
        return max(Fraction(0), top - sum(Fraction(d["points"]) for d in data["deductions"]))
    if kind == "count":
        return min(top, int(data["count"]) * Fraction(rule.params["per"]))
    if kind == "grade":
        return top * _named(rule.params["levels"])[data["level"]]
    if kind == "ratio":
        return min(top, top * Fraction(data["actual"]) / Fraction(data["target"]))
    if kind == "check":
        return top if data["met"] else Fraction(0)
    if kind == "vote":
        weights = _named(rule.params["weights"])
        votes = {name: int(n) for name, n in data["votes"].items()}
        return top * sum(weights[k] * n for k, n in votes.items()) / sum(votes.values())
    done, due = int(data["done"]), int(data["due"])  # tasks
    return top if due == 0 else top * done / due


def leaf_score(rule: LeafRule, inp: Mapping) -> Decimal:
    """Score of one assessor's input for a leaf, rounded once (half up) to
    0.01 and always within 0..max_points. Validates inp (RuleError)."""
    data = parse_input(rule, inp)
    exact = min(Fraction(rule.max_points), max(Fraction(0), _raw_score(rule, data)))
    return q2_fraction(exact)


def deductions_of(rule: LeafRule, inp: Mapping) -> list[tuple[Decimal, str]]:
    """(points, reason) of each deduction; empty for other rule types."""
    if rule.type != "deduct":
        return []
    data = parse_input(rule, inp)
    return [(Decimal(d["points"]), d["reason"]) for d in data["deductions"]]


def _describe_deduct(rule: LeafRule, data: Mapping) -> str:
    if not data["deductions"]:
        return "无扣分"
    parts = []
    for d in data["deductions"]:
        times = f"（{d['times']}次×{rule.params['per']}分）" if "times" in d else ""
        parts.append(f"扣{fmt(Decimal(d['points']))}分{times}：{d['reason']}")
    return "；".join(parts)


def _describe_count(rule: LeafRule, data: Mapping) -> str:
    per = Decimal(rule.params["per"])
    text = f"计{data['count']}次×{plain(per)}分"
    if int(data["count"]) * per > rule.max_points:
        text += f"（累计不超过{fmt(rule.max_points)}分）"
    return text


def describe_input(rule: LeafRule, inp: Mapping) -> str:
    """Short Chinese explanation of an input, so every number is explainable."""
    data = parse_input(rule, inp)
    kind = rule.type
    if "points" in data:
        return f"直接评定{fmt(Decimal(data['points']))}分"
    if kind == "direct":
        return "直接打分"
    if kind == "deduct":
        return _describe_deduct(rule, data)
    if kind == "count":
        return _describe_count(rule, data)
    if kind == "grade":
        frac = dict(rule.params["levels"])[data["level"]]
        return f"档次：{data['level']}（{plain(Decimal(frac) * HUNDRED)}%）"
    if kind == "ratio":
        return f"实际{data['actual']}/目标{data['target']}"
    if kind == "check":
        return "达标" if data["met"] else "未达标"
    if kind == "vote":
        return "、".join(f"{name}{n}" for name, n in data["votes"].items())
    return f"按期完成{data['done']}/应完成{data['due']}"
