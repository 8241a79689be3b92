"""Scheme import: the project's own template (sheets 指标, 加减分项, 等次, 设置) or a rulebook
(考核细则) table laid out the way it is published (see rulebook.py).

Parse and validate only; nothing is written. Either the whole scheme is returned or
ImportFailed carries every problem found with sheet, row and column.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from scorecard.domain.tree import find_cycles
from scorecard.importers.common import (
    FORMULA_MESSAGE,
    READ_FAILED_MESSAGE,
    ImportFailed,
    ImportIssue,
    IssueCollector,
    cell_number,
    cell_text,
    decimal_places,
    display_value,
    format_decimal,
    is_blank,
    is_formula,
    match_header_keys,
    open_workbook_full,
    row_value,
    split_list,
)
from scorecard.importers.parsed_scheme import (  # noqa: F401
    DEFAULT_TIERS,
    MAX_SCHEME_COLS,
    MAX_SCHEME_ROWS,
    ParsedIndicator,
    ParsedItem,
    ParsedScheme,
    ParsedTier,
    default_tiers,
    sheet_rows,
)

MAX_CODE = 32
HEADER_SEARCH_ROWS = 10

INDICATOR_SHEET = "指标"
ITEM_SHEET = "加减分项"
TIER_SHEET = "等次"
SETTINGS_SHEET = "设置"

# ---------------------------------------------------------------------------------------

INDICATOR_SYNONYMS = {
    "code": ["编码", "指标编码"],
    "parent_code": ["上级编码", "上级指标编码"],
    "name": ["名称", "指标名称"],
    "max_points": ["分值", "满分", "标准分"],
    "content": ["考核内容", "工作要求"],
    "rule_text": ["评分标准", "评分说明"],
    "methods": ["考核方式", "考评方式"],
    "categories": ["适用类别", "考核类别"],
    "rule_type": ["计分类型", "计分方式"],
    "params": ["计分参数"],
    "evidence_hint": ["佐证提示", "佐证材料"],
    "evidence_required": ["须提供佐证", "必须提供佐证", "佐证必需"],
}
ITEM_SYNONYMS = {
    "code": ["编码"],
    "name": ["名称", "项目名称"],
    "kind": ["类型", "加减分类型"],
    "points": ["每项分值", "分值", "每次分值"],
    "cap": ["单项上限", "上限"],
}
TIER_SYNONYMS = {
    "name": ["等次", "等次名称"],
    "threshold": ["最低分", "分数线", "最低分数"],
    "quota": ["名额比例", "名额比例%", "比例"],
}
SETTING_SYNONYMS = {"key": ["项目", "设置项"], "value": ["值", "设置值", "内容"]}
SETTING_KEYS = {
    "方案名称": "title",
    "满分": "full_marks",
    "加分上限": "bonus_cap",
    "折算": "convert",
    "一票否决封顶等次": "veto_cap",
    "并列排序依据": "tie_break",
}
BONUS_WORDS = {"加分", "加分项", "bonus", "+"}
PENALTY_WORDS = {"减分", "减分项", "扣分", "penalty", "-"}
YES = {"是", "y", "yes", "true", "1", "折算", "√"}
NO = {"否", "n", "no", "false", "0", "不折算", "×"}


def parse_scheme(source: str | bytes | IO[bytes]) -> ParsedScheme:
    """Parse a scheme workbook (own template or published rulebook)."""
    wb = open_workbook_full(source)
    try:
        return _parse(wb)
    except ImportFailed:
        raise
    except Exception:  # never let an odd file surface as anything but ImportFailed
        raise ImportFailed([ImportIssue(READ_FAILED_MESSAGE)]) from None
    finally:
        wb.close()


def _parse(wb) -> ParsedScheme:
    if not wb.sheetnames:
        raise ImportFailed([ImportIssue("工作簿中没有工作表")])
    sheet = _sheet(wb, INDICATOR_SHEET)
    if sheet is not None:
        rows = sheet_rows(sheet)
        header = _find_header(rows, INDICATOR_SYNONYMS, ("code", "name", "max_points"), HEADER_SEARCH_ROWS)
        if header is not None:
            return _parse_template(wb, sheet, rows, *header)
    from scorecard.importers.rulebook import parse_rulebook_workbook

    return parse_rulebook_workbook(wb)


def _sheet(wb, name: str):
    for title in wb.sheetnames:
        if title.strip() == name:
            return wb[title]
    return None


def _find_header(rows, synonyms, required, limit):
    for index, values in enumerate(rows[:limit]):
        found = match_header_keys(values, synonyms)
        if all(f in found for f in required):
            return index + 1, found
    return None


# --- the project's own template ---------------------------------------------------------

def _text(issues, sheet, number, values, columns, field_name, multiline=False) -> str:
    index = columns.get(field_name)
    value = row_value(values, index)
    if is_formula(value):
        issues.add(FORMULA_MESSAGE, sheet, number, index + 1)
        return ""
    if multiline and isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return cell_text(value)


def _number(issues, sheet, number, values, columns, field_name, label, *, required=False,
            name_for_missing=None) -> Decimal | None:
    index = columns.get(field_name)
    if index is None:
        return None
    value = row_value(values, index)
    try:
        result = cell_number(value, label)
    except ValueError as exc:
        issues.add(str(exc), sheet, number, index + 1)
        return None
    if result is None:
        if required:
            issues.add(f"{label}不能为空", sheet, number, index + 1)
        return None
    if result < 0:
        issues.add(f"{label}不能为负数（当前{format_decimal(result)}）", sheet, number, index + 1)
        return None
    if decimal_places(result) > 2:
        issues.add(f"{label}最多保留两位小数（当前{format_decimal(result)}）", sheet, number, index + 1)
        return None
    return result


def _code(issues, sheet, number, values, columns, field_name, label) -> str:
    index = columns.get(field_name)
    value = row_value(values, index)
    if isinstance(value, (bool, dt.date, dt.time, dt.timedelta)):
        issues.add(f"{label}不能是日期或逻辑值，请将单元格设为文本后填写编码", sheet, number, index + 1)
        return ""
    text = _text(issues, sheet, number, values, columns, field_name)
    if len(text) > MAX_CODE:
        issues.add(f"{label}超过{MAX_CODE}个字符（当前{len(text)}个）", sheet, number, index + 1)
    return text


def _blank_row(values, columns) -> bool:
    return all(is_blank(row_value(values, i)) for i in columns.values())


@dataclass
class _RawIndicator:
    row: int
    code: str
    parent_code: str | None
    name: str
    max_points: Decimal | None
    content: str
    rule_text: str
    methods: list[str]
    categories: list[str]
    rule_label: str
    params_text: str


def _parse_template(wb, ws, rows, header_row, columns) -> ParsedScheme:
    from scorecard.domain.rules import RuleError, parse_params_text, rule_type_from_label

    issues = IssueCollector()
    sheet = ws.title
    raws: list[_RawIndicator] = []
    for number, values in enumerate(rows[header_row:], start=header_row + 1):
        if _blank_row(values, columns):
            continue
        code = _code(issues, sheet, number, values, columns, "code", "编码")
        parent = _code(issues, sheet, number, values, columns, "parent_code", "上级编码") if "parent_code" in columns else ""
        name = _text(issues, sheet, number, values, columns, "name")
        points = _number(issues, sheet, number, values, columns, "max_points", "分值", required=True)
        if not code and not _has_issue_at(issues, number, columns["code"] + 1):
            issues.add("编码不能为空", sheet, number, columns["code"] + 1)
        if not name and not _has_issue_at(issues, number, columns["name"] + 1):
            issues.add("名称不能为空", sheet, number, columns["name"] + 1)
        raws.append(_RawIndicator(
            row=number, code=code, parent_code=parent or None, name=name, max_points=points,
            content=_text(issues, sheet, number, values, columns, "content", True) if "content" in columns else "",
            rule_text=_text(issues, sheet, number, values, columns, "rule_text", True) if "rule_text" in columns else "",
            methods=split_list(_text(issues, sheet, number, values, columns, "methods")) if "methods" in columns else [],
            categories=split_list(_text(issues, sheet, number, values, columns, "categories")) if "categories" in columns else [],
            rule_label=_text(issues, sheet, number, values, columns, "rule_type") if "rule_type" in columns else "",
            params_text=_text(issues, sheet, number, values, columns, "params", True) if "params" in columns else "",
        ))
    if not raws and not issues:
        issues.add("指标表中没有任何指标，请在表头下方逐行填写", sheet, header_row + 1)

    by_code: dict[str, _RawIndicator] = {}
    for raw in raws:
        if not raw.code:
            continue
        if raw.code in by_code:
            issues.add(f"指标编码重复（与第{by_code[raw.code].row}行相同）", sheet, raw.row, columns["code"] + 1)
        else:
            by_code[raw.code] = raw
    parent_col = columns["parent_code"] + 1 if "parent_code" in columns else None
    for raw in raws:
        if raw.parent_code is None or not raw.code:
            continue
        if raw.parent_code == raw.code:
            issues.add(f"上级编码“{raw.parent_code}”不能是本指标自身", sheet, raw.row, parent_col)
        elif raw.parent_code not in by_code:
            issues.add(f"上级编码“{raw.parent_code}”不存在", sheet, raw.row, parent_col)
    _check_cycles(issues, sheet, by_code, parent_col)

    parents = {raw.parent_code for raw in raws if raw.parent_code}
    indicators: list[ParsedIndicator] = []
    for raw in raws:
        leaf = raw.code not in parents
        rule_type, params = "", {}
        if leaf:
            rule_type = "direct"
            if raw.rule_label:
                try:
                    rule_type = rule_type_from_label(raw.rule_label)
                except (RuleError, ValueError) as exc:
                    rule_type = ""
                    issues.add(str(exc), sheet, raw.row, columns["rule_type"] + 1)
            if rule_type:
                try:
                    params = parse_params_text(rule_type, raw.params_text)
                except (RuleError, ValueError) as exc:
                    index = columns.get("params", columns.get("rule_type"))
                    issues.add(str(exc), sheet, raw.row, index + 1 if index is not None else None)
        indicators.append(ParsedIndicator(
            row=raw.row, code=raw.code, parent_code=raw.parent_code, name=raw.name,
            max_points=raw.max_points if raw.max_points is not None else Decimal(0),
            content=raw.content, rule_text=raw.rule_text, methods=raw.methods,
            categories=raw.categories, rule_type=rule_type, params=params,
            evidence_hint=_evidence(issues, sheet, raw.row, rows, columns),
            evidence_required=_required(issues, sheet, raw.row, rows, columns),
        ))

    items = _parse_items(wb, issues)
    tiers = _parse_tiers(wb, issues)
    title, settings = _parse_settings(wb, issues, {i.code for i in indicators}, tiers)
    issues.fail_if_any()
    return ParsedScheme("template", title, _preorder(indicators), items, tiers, settings)


def _evidence(issues, sheet, number, rows, columns) -> str:
    if "evidence_hint" not in columns:
        return ""
    return _text(issues, sheet, number, rows[number - 1], columns, "evidence_hint", True)


def _required(issues, sheet, number, rows, columns) -> bool:
    if "evidence_required" not in columns:
        return False
    text = _text(issues, sheet, number, rows[number - 1], columns, "evidence_required").strip()
    if text in ("", "否", "不需要", "N", "n", "0", "×"):
        return False
    if text in ("是", "需要", "必须", "Y", "y", "1", "√", "✓"):
        return True
    issues.add(f"“须提供佐证”应填“是”或“否”（或留空），不能是“{text}”", sheet, number,
               columns["evidence_required"] + 1)
    return False


def _has_issue_at(issues, row, column) -> bool:
    return any(i.row == row and i.column == column for i in issues.issues)


def _check_cycles(issues, sheet, by_code, parent_col) -> None:
    """Each loop once, at its first row (a row naming itself is reported on its own)."""
    parent_of = {c: (r.parent_code if r.parent_code != c else None) for c, r in by_code.items()}
    for loop in find_cycles(parent_of):
        issues.add("上级编码形成循环：" + " → ".join(loop + loop[:1]), sheet, by_code[loop[0]].row, parent_col)


def _preorder(indicators: list[ParsedIndicator]) -> list[ParsedIndicator]:
    """Roots in file order, each followed by its subtree (children in file order)."""
    children: dict[str | None, list[ParsedIndicator]] = {}
    for ind in indicators:
        children.setdefault(ind.parent_code, []).append(ind)
    ordered: list[ParsedIndicator] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(children.get(node.code, [])))
    return ordered


def _parse_items(wb, issues) -> list[ParsedItem]:
    ws = _sheet(wb, ITEM_SHEET)
    if ws is None:
        return []
    sheet = ws.title
    rows = sheet_rows(ws)
    if not any(any(not is_blank(v) for v in r) for r in rows):
        return []
    header = _find_header(rows, ITEM_SYNONYMS, ("code", "name", "kind"), 5)
    if header is None:
        issues.add("未找到表头：需要包含“编码”“名称”“类型”列", sheet)
        return []
    header_row, columns = header
    items: list[ParsedItem] = []
    seen: dict[str, int] = {}
    for number, values in enumerate(rows[header_row:], start=header_row + 1):
        if _blank_row(values, columns):
            continue
        code = _code(issues, sheet, number, values, columns, "code", "编码")
        name = _text(issues, sheet, number, values, columns, "name")
        kind_text = _text(issues, sheet, number, values, columns, "kind")
        points = _number(issues, sheet, number, values, columns, "points", "每项分值")
        cap = _number(issues, sheet, number, values, columns, "cap", "单项上限")
        if not code and not _has_issue_at(issues, number, columns["code"] + 1):
            issues.add("编码不能为空", sheet, number, columns["code"] + 1)
        elif code in seen:
            issues.add(f"加减分项编码重复（与第{seen[code]}行相同）", sheet, number, columns["code"] + 1)
        elif code:
            seen[code] = number
        if not name and not _has_issue_at(issues, number, columns["name"] + 1):
            issues.add("名称不能为空", sheet, number, columns["name"] + 1)
        kind = None
        if kind_text.lower() in BONUS_WORDS:
            kind = "bonus"
        elif kind_text.lower() in PENALTY_WORDS:
            kind = "penalty"
        elif not _has_issue_at(issues, number, columns["kind"] + 1):
            shown = f"“{kind_text}”" if kind_text else "不能为空，"
            issues.add(f"类型{shown}应填写“加分”或“减分”", sheet, number, columns["kind"] + 1)
        if points is not None and cap is not None and cap < points:
            issues.add(f"单项上限{format_decimal(cap)}小于每项分值{format_decimal(points)}",
                       sheet, number, columns["cap"] + 1)
        items.append(ParsedItem(number, code, name, kind or "", points, cap))
    return items


def _quota(issues, sheet, number, cell, column) -> Decimal | None:
    value = cell.value if cell is not None else None
    if isinstance(value, str) and value.strip().endswith(("%", "％")):
        value = value.strip()[:-1]
    try:
        result = cell_number(value, "名额比例")
    except ValueError as exc:
        issues.add(str(exc), sheet, number, column)
        return None
    if result is None:
        return None
    if cell is not None and "%" in (cell.number_format or "") and not isinstance(cell.value, str):
        result = result * 100  # a percent-formatted cell holds 0.2 for 20%
    if result < 0 or result > 100:
        issues.add(f"名额比例应在0到100之间（当前{format_decimal(result)}）", sheet, number, column)
        return None
    if decimal_places(result) > 2:
        issues.add(f"名额比例最多保留两位小数（当前{format_decimal(result)}）", sheet, number, column)
        return None
    return result


def _parse_tiers(wb, issues) -> list[ParsedTier]:
    ws = _sheet(wb, TIER_SHEET)
    if ws is None:
        return default_tiers()
    sheet = ws.title
    rows = sheet_rows(ws)
    if not any(any(not is_blank(v) for v in r) for r in rows):
        return default_tiers()
    header = _find_header(rows, TIER_SYNONYMS, ("name", "threshold"), 5)
    if header is None:
        issues.add("未找到表头：需要包含“等次”和“最低分”列", sheet)
        return default_tiers()
    header_row, columns = header
    tiers: list[ParsedTier] = []
    names: dict[str, int] = {}
    thresholds: dict[Decimal, int] = {}
    for number, values in enumerate(rows[header_row:], start=header_row + 1):
        if _blank_row(values, columns):
            continue
        name = _text(issues, sheet, number, values, columns, "name")
        threshold = _number(issues, sheet, number, values, columns, "threshold", "最低分", required=True)
        quota = None
        if "quota" in columns:
            quota = _quota(issues, sheet, number, ws.cell(number, columns["quota"] + 1), columns["quota"] + 1)
        if not name:
            if not _has_issue_at(issues, number, columns["name"] + 1):
                issues.add("等次名称不能为空", sheet, number, columns["name"] + 1)
        elif name in names:
            issues.add(f"等次“{name}”重复（与第{names[name]}行相同）", sheet, number, columns["name"] + 1)
        else:
            names[name] = number
        if threshold is not None:
            if threshold in thresholds:
                issues.add(f"最低分{format_decimal(threshold)}与第{thresholds[threshold]}行相同",
                           sheet, number, columns["threshold"] + 1)
            else:
                thresholds[threshold] = number
        if name and threshold is not None:
            tiers.append(ParsedTier(name, threshold, quota))
    if not tiers:
        return default_tiers()
    return sorted(tiers, key=lambda t: t.threshold, reverse=True)


def _parse_settings(wb, issues, codes: set[str], tiers: list[ParsedTier]):
    ws = _sheet(wb, SETTINGS_SHEET)
    if ws is None:
        return None, {}
    sheet = ws.title
    rows = sheet_rows(ws)
    header = _find_header(rows, SETTING_SYNONYMS, ("key", "value"), 5)
    if header is None:
        header_row, columns = 0, {"key": 0, "value": 1}
    else:
        header_row, columns = header
    title = None
    settings: dict = {}
    seen: dict[str, int] = {}
    value_col = columns["value"] + 1
    for number, values in enumerate(rows[header_row:], start=header_row + 1):
        if _blank_row(values, columns):
            continue
        key_value = row_value(values, columns["key"])
        if is_formula(key_value):
            issues.add(FORMULA_MESSAGE, sheet, number, columns["key"] + 1)
            continue
        key = cell_text(key_value).replace(" ", "")
        if key not in SETTING_KEYS:
            known = "、".join(SETTING_KEYS)
            issues.add(f"未知的设置项“{key}”（可用：{known}）", sheet, number, columns["key"] + 1)
            continue
        if key in seen:
            issues.add(f"设置项“{key}”重复（与第{seen[key]}行相同）", sheet, number, columns["key"] + 1)
            continue
        seen[key] = number
        target = SETTING_KEYS[key]
        value = row_value(values, columns["value"])
        if is_formula(value):
            issues.add(FORMULA_MESSAGE, sheet, number, value_col)
            continue
        if is_blank(value):
            continue
        if target == "title":
            title = cell_text(value)
        elif target in ("full_marks", "bonus_cap"):
            number_value = _number(issues, sheet, number, values, columns, "value", key)
            if number_value is not None:
                if target == "full_marks" and number_value == 0:
                    issues.add("满分必须大于0", sheet, number, value_col)
                else:
                    settings[target] = number_value
        elif target == "convert":
            if isinstance(value, bool):
                settings["convert"] = value
            else:
                text = cell_text(value).lower()
                if text in YES:
                    settings["convert"] = True
                elif text in NO:
                    settings["convert"] = False
                else:
                    issues.add(f"折算应填写“是”或“否”（当前“{display_value(value)}”）", sheet, number, value_col)
        elif target == "veto_cap":
            text = cell_text(value)
            names = [t.name for t in tiers]
            if text not in names:
                issues.add(f"一票否决封顶等次“{text}”不在等次表中（可用：{'、'.join(names)}）",
                           sheet, number, value_col)
            else:
                settings["veto_cap"] = text
        elif target == "tie_break":
            parts = split_list(cell_text(value))
            unknown = [p for p in parts if p not in codes]
            if unknown:
                issues.add("并列排序依据中的编码" + "、".join(f"“{u}”" for u in unknown) + "不是指标编码",
                           sheet, number, value_col)
            elif parts:
                settings["tie_break"] = parts
    return title, settings
