"""The compact, human-editable text form of rule parameters, used in Excel
templates and in a UI text field:

    deduct  "每次=2" | "范围=1-3" | ""       count  "每次=2"
    grade   "好=100%,较好=80%,一般=60%,差=0%"  (fractions "好=1" also accepted)
    ratio   "目标=100"                        vote   "满意=1,基本满意=0.6,不满意=0"
    direct / check / tasks  ""

Separators , ， ; ； 、 and new lines; = ＝ : ： between name and value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from scorecard.domain.numbers import HUNDRED, plain, to_decimal
from scorecard.domain.rule_base import RULE_LABELS, RuleError, rule_type_from_label
from scorecard.domain.rule_params import default_params, normalise_params

_ITEM_SEP = re.compile(r"[,，;；、\r\n]+")
_KV_SEP = re.compile(r"[=＝:：]")
_RANGE_SEP = re.compile(r"\s*(?:-|－|~|～|至|—|–)\s*")

_PER_KEYS = ("每次", "每次分值", "每次得分", "每次扣分")
_RANGE_KEYS = ("范围", "扣分范围")
_TARGET_KEYS = ("目标", "目标值")

_FORMAT_HINT = {
    "deduct": "「每次=2」或「范围=1-3」，不限额时留空",
    "count": "「每次=2」",
    "grade": "「好=100%,较好=80%,一般=60%,差=0%」",
    "ratio": "「目标=100」",
    "vote": "「满意=1,基本满意=0.6,不满意=0」",
}


def _bad(rule_type: str, detail: str) -> RuleError:
    hint = _FORMAT_HINT.get(rule_type)
    suffix = f"，格式应为{hint}" if hint else ""
    return RuleError(f"{RULE_LABELS[rule_type]}参数有误：{detail}{suffix}", "params")


def _split(rule_type: str, text: str) -> list[tuple[str, str]]:
    """"a=1, b=2" → [("a", "1"), ("b", "2")]."""
    pairs = []
    for item in _ITEM_SEP.split(text):
        item = item.strip()
        if not item:
            continue
        parts = _KV_SEP.split(item, maxsplit=1)
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise _bad(rule_type, f"无法识别「{item}」")
        pairs.append((parts[0].strip(), parts[1].strip()))
    return pairs


def _single(rule_type: str, pairs: list[tuple[str, str]], keys: tuple[str, ...]) -> str:
    """The value of the one expected key (any of its synonyms)."""
    if len(pairs) != 1 or pairs[0][0] not in keys:
        shown = "、".join(f"「{k}」" for k, _ in pairs)
        raise _bad(rule_type, f"不认识的参数 {shown}")
    return pairs[0][1]


def _parse_deduct(pairs: list[tuple[str, str]]) -> dict:
    if not pairs:
        return {}
    key = pairs[0][0] if len(pairs) == 1 else ""
    if key in _PER_KEYS:
        return {"per": pairs[0][1]}
    value = _single("deduct", pairs, _RANGE_KEYS)
    bounds = _RANGE_SEP.split(value)
    if len(bounds) != 2 or not all(b.strip() for b in bounds):
        raise _bad("deduct", f"扣分范围「{value}」应写成「1-3」")
    return {"min": bounds[0], "max": bounds[1]}


def _fraction(rule_type: str, name: str, value: str) -> str:
    """"80%" → "0.8"; "0.8" → "0.8"; a bare number above 1 is refused."""
    text = value.strip()
    percent = text.endswith(("%", "％"))
    try:
        d = to_decimal(text[:-1] if percent else text)
    except ValueError:
        raise _bad(rule_type, f"「{name}」的值「{value}」不是有效的数字") from None
    if percent:
        return plain(d / HUNDRED)
    if d > 1:
        raise _bad(rule_type, f"「{name}={value}」应写成0到1的小数或百分数（如80%）")
    return plain(d)


def _parse_named(rule_type: str, pairs: list[tuple[str, str]]) -> list[list[str]]:
    return [[name, _fraction(rule_type, name, value)] for name, value in pairs]


def parse_params_text(rule_type: str, text: str | None) -> dict:
    """Parse the compact text into normalised params (RuleError if bad).
    Empty text gives default_params(rule_type); for count, which has no
    default, that is an error asking for "每次=…"."""
    rule_type = rule_type_from_label(rule_type)
    text = "" if text is None else str(text).strip()
    if not text:
        return normalise_params(rule_type, default_params(rule_type))
    pairs = _split(rule_type, text)
    if rule_type in ("direct", "check", "tasks"):
        if pairs:
            raise RuleError(f"「{RULE_LABELS[rule_type]}」无需设置参数，请留空", "params")
        params: dict = {}
    elif rule_type == "deduct":
        params = _parse_deduct(pairs)
    elif rule_type == "count":
        params = {"per": _single(rule_type, pairs, _PER_KEYS)} if pairs else {}
    elif rule_type == "ratio":
        params = {"target": _single(rule_type, pairs, _TARGET_KEYS)} if pairs else {}
    elif rule_type == "grade":
        params = {"levels": _parse_named(rule_type, pairs)}
    else:
        params = {"weights": _parse_named(rule_type, pairs)}
    return normalise_params(rule_type, params)


def _percent(fraction: str) -> str:
    return f"{plain(Decimal(fraction) * HUNDRED)}%"


def format_params_text(rule_type: str, params: Mapping | None) -> str:
    """The compact text of (validated) params; parse_params_text inverts it."""
    rule_type = rule_type_from_label(rule_type)
    p = normalise_params(rule_type, params)
    if rule_type in ("deduct", "count") and "per" in p:
        return f"每次={p['per']}"
    if rule_type == "deduct" and "min" in p:
        return f"范围={p['min']}-{p['max']}"
    if rule_type == "ratio":
        return f"目标={p['target']}"
    if rule_type == "grade":
        return ",".join(f"{name}={_percent(frac)}" for name, frac in p["levels"])
    if rule_type == "vote":
        return ",".join(f"{name}={w}" for name, w in p["weights"])
    return ""
