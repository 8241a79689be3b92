"""Rule types, their Chinese labels, RuleError and small number readers
shared by the leaf scoring rule modules."""

from __future__ import annotations

from decimal import Decimal

from scorecard.domain.numbers import is_integral, places, plain, to_decimal

RULE_TYPES: tuple[str, ...] = (
    "direct", "deduct", "count", "grade", "ratio", "check", "vote", "tasks",
)

RULE_LABELS: dict[str, str] = {
    "direct": "直接打分",
    "deduct": "扣分",
    "count": "计次",
    "grade": "档次",
    "ratio": "定量",
    "check": "达标",
    "vote": "测评",
    "tasks": "照单考责",
}

_BY_LABEL = {label: key for key, label in RULE_LABELS.items()}


class RuleError(ValueError):
    """A rule or an input that breaks a rule. ``str(e)`` is a Chinese message
    for users; ``field`` optionally names the offending input field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def rule_type_from_label(s: str) -> str:
    """Accept an identifier ("deduct") or a Chinese label ("扣分")."""
    text = str(s).strip() if s is not None else ""
    if text.lower() in RULE_TYPES:
        return text.lower()
    if text in _BY_LABEL:
        return _BY_LABEL[text]
    choices = "、".join(RULE_LABELS.values())
    raise RuleError(f"未知的计分方式：{text or '（空）'}（可选：{choices}）", "rule_type")


def unknown_type_message(rule_type: object) -> str:
    return f"未知的计分方式：{rule_type}"


def given(value: object) -> bool:
    """True unless the value is missing or blank ("" or only spaces)."""
    if value is None:
        return False
    return not (isinstance(value, str) and not value.strip())


def read_number(value: object, label: str, field: str | None = None) -> Decimal:
    """Decimal from user input or raise RuleError("<label>不是有效的数字：…")."""
    if not given(value):
        raise RuleError(f"请填写{label}", field)
    try:
        return to_decimal(value)
    except ValueError:
        raise RuleError(f"{label}不是有效的数字：{value}", field) from None


def read_count(value: object, label: str, field: str | None = None) -> int:
    """A non-negative integer ("3", 3, "3.0")."""
    if not given(value):
        raise RuleError(f"请填写{label}", field)
    if isinstance(value, bool):
        raise RuleError(f"{label}必须是非负整数", field)
    try:
        d = to_decimal(value)
    except ValueError:
        raise RuleError(f"{label}必须是非负整数", field) from None
    if d < 0 or not is_integral(d):
        raise RuleError(f"{label}必须是非负整数", field)
    return int(d)


def two_places(d: Decimal, label: str, field: str | None = None) -> Decimal:
    """Reject more than two decimals: points are stored with two places."""
    if places(d) > 2:
        raise RuleError(f"{label}最多保留两位小数：{plain(d)}", field)
    return d
