"""Pure scoring core: numbers, leaf rules, indicator trees, aggregation,
ranks and tiers. No Flask, no SQLAlchemy, no I/O; Decimal only."""

from scorecard.domain.numbers import TWO, fmt, plain, q2, q2_div, q2_fraction, to_decimal
from scorecard.domain.rules import (
    RULE_LABELS,
    RULE_TYPES,
    LeafRule,
    RuleError,
    deductions_of,
    default_params,
    describe_input,
    format_params_text,
    input_from_points,
    leaf_score,
    normalise_params,
    parse_input,
    parse_params_text,
    rule_type_from_label,
    validate_params,
)
from scorecard.domain.scoring import (
    SchemeSpec,
    TargetInput,
    TargetResult,
    bonus_total,
    cap_note,
    compute_round,
    leaf_final,
    penalty_total,
    rank_competition,
)
from scorecard.domain.tiers import TierSpec, default_tiers
from scorecard.domain.tree import NodeSpec, applicable, applicable_leaves, leaves, top_level_of, validate_tree

__all__ = [
    "TWO", "fmt", "plain", "q2", "q2_div", "q2_fraction", "to_decimal",
    "RULE_LABELS", "RULE_TYPES", "LeafRule", "RuleError", "default_params",
    "deductions_of", "describe_input", "format_params_text", "input_from_points",
    "leaf_score", "normalise_params", "parse_input", "parse_params_text",
    "rule_type_from_label", "validate_params",
    "SchemeSpec", "TargetInput", "TargetResult", "TierSpec", "default_tiers",
    "bonus_total", "cap_note", "compute_round", "leaf_final", "penalty_total", "rank_competition",
    "NodeSpec", "applicable", "applicable_leaves", "leaves", "top_level_of",
    "validate_tree",
]
