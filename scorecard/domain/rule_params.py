"""Parameters of the leaf scoring rules: defaults, validation and the
canonical (normalised, JSON-serialisable) form; and LeafRule itself."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from scorecard.domain.numbers import places, plain, to_decimal
from scorecard.domain.rule_base import RULE_LABELS, RULE_TYPES, RuleError, given, unknown_type_message

DEFAULT_LEVELS: list[list[str]] = [["好", "1"], ["较好", "0.8"], ["一般", "0.6"], ["差", "0"]]
DEFAULT_WEIGHTS: list[list[str]] = [["满意", "1"], ["基本满意", "0.6"], ["不满意", "0"]]

_DEFAULTS: dict[str, dict] = {
    "direct": {}, "deduct": {}, "count": {}, "check": {}, "tasks": {},
    "grade": {"levels": DEFAULT_LEVELS},
    "ratio": {"target": "100"},
    "vote": {"weights": DEFAULT_WEIGHTS},
}
_KEYS: dict[str, tuple[str, ...]] = {
    "direct": (), "check": (), "tasks": (),
    "deduct": ("per", "min", "max"), "count": ("per",), "grade": ("levels",),
    "ratio": ("target",), "vote": ("weights",),
}
# Characters that would break the compact text form "名称=数值,…".
NAME_FORBIDDEN = frozenset("=＝,，;；、:：\r\n")


def default_params(rule_type: str) -> dict:
    """Default parameters of a rule type (a fresh copy). count has none:
    its per-occurrence points must be given."""
    if rule_type not in RULE_TYPES:
        raise RuleError(unknown_type_message(rule_type), "rule_type")
    return copy.deepcopy(_DEFAULTS[rule_type])


def _number(params: Mapping, key: str, label: str, errors: list[str],
            *, zero_ok: bool = False, two: bool = True) -> Decimal | None:
    """Read params[key] as a positive (or non-negative) Decimal; None if absent
    or invalid (the problem is appended to errors)."""
    raw = params.get(key)
    if not given(raw):
        return None
    try:
        d = to_decimal(raw)
    except ValueError:
        errors.append(f"{label}不是有效的数字：{raw}")
        return None
    if d < 0 or (d == 0 and not zero_ok):
        errors.append(f"{label}必须{'不小于' if zero_ok else '大于'}0：{plain(d)}")
        return None
    if two and places(d) > 2:
        errors.append(f"{label}最多保留两位小数：{plain(d)}")
        return None
    return d


def _check_deduct(params: Mapping, errors: list[str]) -> dict:
    per = _number(params, "per", "每次扣分", errors)
    has_range = given(params.get("min")) or given(params.get("max"))
    if given(params.get("per")) and has_range:
        errors.append("扣分规则不能同时设置每次扣分和扣分范围")
        return {}
    if per is not None:
        return {"per": plain(per)}
    if not has_range:
        return {}
    lo = _number(params, "min", "扣分范围下限", errors, zero_ok=True)
    hi = _number(params, "max", "扣分范围上限", errors)
    if not (given(params.get("min")) and given(params.get("max"))):
        errors.append("扣分范围须同时设置下限和上限")
        return {}
    if lo is None or hi is None:
        return {}
    if lo > hi:
        errors.append(f"扣分范围下限{plain(lo)}大于上限{plain(hi)}")
        return {}
    return {"min": plain(lo), "max": plain(hi)}


def _check_count(params: Mapping, errors: list[str]) -> dict:
    if not given(params.get("per")):
        errors.append("计次须设置每次得分（如：每次=2）")
        return {}
    per = _number(params, "per", "每次得分", errors)
    return {"per": plain(per)} if per is not None else {}


def _check_ratio(params: Mapping, errors: list[str]) -> dict:
    if not given(params.get("target")):
        errors.append("定量须设置目标值（如：目标=100）")
        return {}
    target = _number(params, "target", "目标值", errors, two=False)
    return {"target": plain(target)} if target is not None else {}


def _pairs(raw: object) -> list | None:
    """Accept [[name, value], ...], [(name, value), ...] or {name: value}."""
    if isinstance(raw, Mapping):
        return [[k, v] for k, v in raw.items()]
    if isinstance(raw, (list, tuple)) and all(
            isinstance(p, (list, tuple)) and len(p) == 2 for p in raw):
        return [list(p) for p in raw]
    return None


def _check_named(raw: object, kind: str, what: str, errors: list[str]) -> list[list[str]]:
    """Validate a list of (name, fraction 0..1) pairs: grade levels or vote weights."""
    pairs = _pairs(raw)
    if pairs is None:
        errors.append(f"{kind}设置格式不正确")
        return []
    out: list[list[str]] = []
    seen: set[str] = set()
    for name, value in pairs:
        name = str(name).strip() if name is not None else ""
        if not name:
            errors.append(f"{kind}名称不能为空")
            continue
        if NAME_FORBIDDEN & set(name):
            errors.append(f"{kind}名称「{name}」不能包含 = , ; 、 : 等符号")
            continue
        if name in seen:
            errors.append(f"{kind}名称重复：{name}")
            continue
        seen.add(name)
        frac = _number({"v": value}, "v", f"{kind}「{name}」的{what}", errors,
                       zero_ok=True, two=False)
        if not given(value):
            errors.append(f"{kind}「{name}」缺少{what}")
        elif frac is not None and frac > 1:
            errors.append(f"{kind}「{name}」的{what}{plain(frac)}应在0到1之间（即0%到100%）")
        elif frac is not None:
            out.append([name, plain(frac)])
    if len(pairs) < 2:
        errors.append(f"{kind}至少需要2项")
    return out


def _check_grade(params: Mapping, errors: list[str]) -> dict:
    raw = params.get("levels")
    if raw is None:
        return {"levels": copy.deepcopy(DEFAULT_LEVELS)}
    return {"levels": _check_named(raw, "档次", "比例", errors)}


def _check_vote(params: Mapping, errors: list[str]) -> dict:
    raw = params.get("weights")
    if raw is None:
        return {"weights": copy.deepcopy(DEFAULT_WEIGHTS)}
    return {"weights": _check_named(raw, "测评选项", "权重", errors)}


_CHECKERS = {
    "deduct": _check_deduct, "count": _check_count, "ratio": _check_ratio,
    "grade": _check_grade, "vote": _check_vote,
}


def check_params(rule_type: str, params: Mapping | None) -> tuple[dict, list[str]]:
    """Return (normalised params, Chinese error messages)."""
    if rule_type not in RULE_TYPES:
        return {}, [unknown_type_message(rule_type)]
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        return {}, ["计分参数格式不正确"]
    label = RULE_LABELS[rule_type]
    errors = [f"「{label}」不支持参数：{k}" for k in params if k not in _KEYS[rule_type]]
    checker = _CHECKERS.get(rule_type)
    norm = checker(params, errors) if checker else {}
    return norm, errors


def validate_params(rule_type: str, max_points: Decimal | None, params: Mapping | None) -> list[str]:
    """Chinese messages; empty when the parameters are valid. max_points is
    accepted for symmetry: per-occurrence points or a range above the leaf's
    max are allowed (扣完为止 / one occurrence gives full marks)."""
    return check_params(rule_type, params)[1]


def normalise_params(rule_type: str, params: Mapping | None) -> dict:
    """Canonical params (numbers as shortest strings); RuleError if invalid."""
    norm, errors = check_params(rule_type, params)
    if errors:
        raise RuleError("；".join(errors), "params")
    return norm


def _freeze(value: object) -> object:
    if isinstance(value, Mapping):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


@dataclass(frozen=True)
class LeafRule:
    """A leaf's scoring rule. Construction validates and normalises: max_points
    becomes a Decimal (> 0, at most two decimals) and params the canonical
    dict, so LeafRule("count", 12, {"per": 2}) == LeafRule("count", Decimal("12"), {"per": "2"})."""

    type: str
    max_points: Decimal
    params: Mapping = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.type not in RULE_TYPES:
            raise RuleError(unknown_type_message(self.type), "rule_type")
        try:
            mp = to_decimal(self.max_points)
        except ValueError:
            raise RuleError(f"满分不是有效的数字：{self.max_points}", "max_points") from None
        if mp <= 0 or places(mp) > 2:
            raise RuleError(f"满分必须大于0且最多两位小数：{plain(mp)}", "max_points")
        object.__setattr__(self, "max_points", mp)
        object.__setattr__(self, "params", normalise_params(self.type, self.params))

    def __hash__(self) -> int:
        return hash((self.type, self.max_points, _freeze(self.params)))
