"""What an assessor enters for a leaf: validation and normalisation.

Normalised inputs are JSON-serialisable dicts with numbers as canonical
strings; parse_input(rule, parse_input(rule, x)) == parse_input(rule, x).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from scorecard.domain.limits import DEDUCTION, length_error
from scorecard.domain.numbers import ZERO, fmt, is_integral, plain
from scorecard.domain.rule_base import RuleError, given, read_count, read_number, two_places
from scorecard.domain.rule_params import LeafRule

_TRUE = frozenset({"是", "达标", "已达标", "1", "true", "yes", "y", "√", "✓", "✔"})
_FALSE = frozenset({"否", "未达标", "不达标", "0", "false", "no", "n", "×", "✗", "✘"})


def _points(rule: LeafRule, value: object, field: str, label: str = "得分") -> Decimal:
    """A score within 0..max with at most two decimals."""
    d = two_places(read_number(value, label, field), label, field)
    if d < 0:
        raise RuleError(f"{label}不能为负数：{plain(d)}", field)
    if d > rule.max_points:
        raise RuleError(f"{label}{plain(d)}超出满分{fmt(rule.max_points)}", field)
    return d


def _per(rule: LeafRule) -> Decimal | None:
    per = rule.params.get("per")
    return Decimal(per) if per is not None else None


def _deduction(rule: LeafRule, item: object, i: int) -> dict:
    n, path = i + 1, f"deductions.{i}"
    if not isinstance(item, Mapping):
        raise RuleError(f"扣分明细格式不正确（第{n}条）", path)
    per = _per(rule)
    times = item.get("times")
    if per is not None and given(times):
        k = read_count(times, f"扣分次数（第{n}条）", f"{path}.times")
        if k == 0:
            raise RuleError(f"扣分次数必须是正整数（第{n}条）", f"{path}.times")
        points = per * k
        entered = item.get("points")
        if given(entered) and read_number(entered, f"扣分（第{n}条）", f"{path}.points") != points:
            raise RuleError(f"扣分与次数不符：{k}次×{plain(per)}分（第{n}条）", f"{path}.points")
    elif given(times):
        raise RuleError(f"该项未设置每次扣分，请直接填写扣分分值（第{n}条）", f"{path}.times")
    else:
        points = _deduction_points(rule, item.get("points"), n, f"{path}.points")
    reason = str(item.get("reason") or "").strip()
    if not reason:
        raise RuleError(f"扣分原因不能为空（第{n}条）", f"{path}.reason")
    too_long = length_error(reason, f"扣分原因（第{n}条）", DEDUCTION)
    if too_long:
        raise RuleError(too_long, f"{path}.reason")
    out = {"points": plain(points), "reason": reason}
    if per is not None:
        out = {"times": plain(points / per), **out}
    return out


def _deduction_points(rule: LeafRule, value: object, n: int, field: str) -> Decimal:
    label = f"扣分（第{n}条）"
    d = two_places(read_number(value, label, field), label, field)
    if d <= 0:
        raise RuleError(f"扣分必须大于0（第{n}条）", field)
    per = _per(rule)
    if per is not None and not is_integral(d / per):
        raise RuleError(f"扣分应为每次{plain(per)}分的整数倍（第{n}条）", field)
    lo, hi = rule.params.get("min"), rule.params.get("max")
    if lo is not None and not Decimal(lo) <= d <= Decimal(hi):
        raise RuleError(f"扣分应在{lo}-{hi}分之间（第{n}条）", field)
    return d


def _parse_deduct(rule: LeafRule, raw: Mapping) -> dict:
    items = raw.get("deductions")
    if items is None:
        raise RuleError("请填写扣分明细（没有扣分时为空列表）", "deductions")
    if not isinstance(items, (list, tuple)):
        raise RuleError("扣分明细格式不正确", "deductions")
    return {"deductions": [_deduction(rule, item, i) for i, item in enumerate(items)]}


def _parse_direct(rule: LeafRule, raw: Mapping) -> dict:
    return {"value": plain(_points(rule, raw.get("value"), "value"))}


def _parse_count(rule: LeafRule, raw: Mapping) -> dict:
    return {"count": str(read_count(raw.get("count"), "计次", "count"))}


def _parse_grade(rule: LeafRule, raw: Mapping) -> dict:
    level = str(raw.get("level") or "").strip()
    names = [name for name, _ in rule.params["levels"]]
    if not level:
        raise RuleError("请选择档次", "level")
    if level not in names:
        raise RuleError(f"档次「{level}」不在可选范围内（{'、'.join(names)}）", "level")
    return {"level": level}


def _parse_ratio(rule: LeafRule, raw: Mapping) -> dict:
    actual = read_number(raw.get("actual"), "实际值", "actual")
    if actual < 0:
        raise RuleError(f"实际值不能为负数：{plain(actual)}", "actual")
    target_raw = raw.get("target")
    target = read_number(target_raw if given(target_raw) else rule.params["target"], "目标值", "target")
    if target <= 0:
        raise RuleError(f"目标值必须大于0：{plain(target)}", "target")
    return {"actual": plain(actual), "target": plain(target)}


def _parse_check(rule: LeafRule, raw: Mapping) -> dict:
    met = raw.get("met")
    if isinstance(met, bool):
        return {"met": met}
    text = str(met).strip().lower() if given(met) else ""
    if not text:
        raise RuleError("请选择是否达标", "met")
    if text in _TRUE:
        return {"met": True}
    if text in _FALSE:
        return {"met": False}
    raise RuleError(f"达标情况应为「达标」或「未达标」：{met}", "met")


def _parse_vote(rule: LeafRule, raw: Mapping) -> dict:
    votes = raw.get("votes")
    names = [name for name, _ in rule.params["weights"]]
    if not isinstance(votes, Mapping):
        raise RuleError("请填写测评票数", "votes")
    for name in votes:
        if str(name).strip() not in names:
            raise RuleError(f"未知的测评选项「{name}」（可选：{'、'.join(names)}）", "votes")
    counts = {str(k).strip(): v for k, v in votes.items()}
    out = {}
    for name in names:
        value = counts.get(name)
        n = read_count(value, f"「{name}」票数", f"votes.{name}") if given(value) else 0
        out[name] = str(n)
    if sum(int(v) for v in out.values()) == 0:
        raise RuleError("测评票数合计不能为0", "votes")
    return {"votes": out}


def _parse_tasks(rule: LeafRule, raw: Mapping) -> dict:
    done = read_count(raw.get("done"), "按期完成任务数", "done")
    due = read_count(raw.get("due"), "应完成任务数", "due")
    if done > due:
        raise RuleError(f"按期完成任务数{done}不能大于应完成任务数{due}", "done")
    return {"done": str(done), "due": str(due)}


_PARSERS = {
    "direct": _parse_direct, "deduct": _parse_deduct, "count": _parse_count,
    "grade": _parse_grade, "ratio": _parse_ratio, "check": _parse_check,
    "vote": _parse_vote, "tasks": _parse_tasks,
}


def parse_input(rule: LeafRule, raw: Mapping) -> dict:
    """Validate and normalise an input; RuleError(message, field) otherwise.

    {"points": x} (the assessor judged the points) is accepted for any type and
    takes precedence over typed fields; for deduct it is turned into
    deductions exactly like input_from_points (so it needs a "reason")."""
    if not isinstance(raw, Mapping):
        raise RuleError("录入内容格式不正确")
    if given(raw.get("points")):
        if rule.type == "deduct":
            return input_from_points(rule, raw["points"], raw.get("reason"))
        return {"points": plain(_points(rule, raw["points"], "points"))}
    return _PARSERS[rule.type](rule, raw)


def _split_range(total: Decimal, lo: Decimal, hi: Decimal) -> list[Decimal] | None:
    """Split a total deduction into as few amounts within lo..hi as possible
    (all in cents); None if impossible."""
    t, a, b = int(total * 100), int(lo * 100), int(hi * 100)
    k = -(-t // b)
    if k * a > t:
        return None
    extra, out = t - k * a, []
    for _ in range(k):
        add = min(b - a, extra)
        extra -= add
        out.append(Decimal(a + add).scaleb(-2))
    return out


def _lump_deductions(rule: LeafRule, total: Decimal, reason: str) -> list[dict]:
    per = _per(rule)
    if per is not None:
        if not is_integral(total / per):
            raise RuleError(f"扣分{plain(total)}应为每次{plain(per)}分的整数倍", "points")
        return [{"times": plain(total / per), "points": plain(total), "reason": reason}]
    lo, hi = rule.params.get("min"), rule.params.get("max")
    if lo is None:
        return [{"points": plain(total), "reason": reason}]
    amounts = _split_range(total, Decimal(lo), Decimal(hi))
    if amounts is None:
        raise RuleError(f"扣分{plain(total)}不符合扣分标准（每次扣{lo}-{hi}分）", "points")
    return [{"points": plain(a), "reason": reason} for a in amounts]


def input_from_points(rule: LeafRule, points: object, reason: str | None) -> dict:
    """The input an assessor's plain score stands for (Excel score import).

    direct → {"value"}; deduct → full marks gives no deductions, less needs a
    reason and becomes one deduction of (max − points) (split into several
    equal-reason deductions only when a range rule like 扣1-3分 forbids one
    amount that large); other types → {"points"}."""
    p = _points(rule, points, "points")
    if rule.type == "direct":
        return {"value": plain(p)}
    if rule.type != "deduct":
        return {"points": plain(p)}
    total = rule.max_points - p
    if total == ZERO:
        return {"deductions": []}
    text = str(reason or "").strip()
    if not text:
        raise RuleError("扣分项低于满分时须填写扣分原因", "reason")
    return {"deductions": _lump_deductions(rule, total, text)}
