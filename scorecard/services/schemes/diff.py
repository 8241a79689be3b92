"""Comparing scheme versions (C11: weights visible and versioned). A scheme's burden on the units
it assesses (C6) is services/dashboard/burden.py scheme_burden."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from scorecard.domain.numbers import fmt
from scorecard.domain.rules import RULE_LABELS, RuleError, format_params_text
from scorecard.domain.tree import leaves
from scorecard.models import Indicator, Scheme
from scorecard.services.schemes.lifecycle import dump
from scorecard.services.schemes.structure import node_specs

KIND_LABELS = {"added": "新增", "removed": "删除", "changed": "修改"}
AREA_LABELS = {"settings": "方案设置", "indicator": "指标", "item": "加减分项", "tier": "等次"}
INDICATOR_FIELDS = {
    "name": "名称", "parent": "上级指标", "max_points": "分值", "rule": "计分方式", "rule_text": "评分标准",
    "content": "考核内容", "methods": "考核方式", "categories": "适用类别", "evidence_hint": "佐证提示",
    "evidence_required": "须提供佐证",
}
ITEM_FIELDS = {"name": "名称", "kind": "类型", "points": "每项分值", "cap": "单项上限"}
TIER_FIELDS = {"threshold": "最低分", "quota_pct": "名额比例(%)"}
SETTING_FIELDS = {
    "name": "方案名称", "year": "年度", "full_marks": "满分", "bonus_cap": "加分上限", "convert": "折算",
    "veto_cap": "一票否决封顶等次", "tie_break": "并列排序依据", "categories": "适用类别",
}


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class DiffLine:
    """One added, removed or changed thing between two versions."""

    area: str  # settings | indicator | item | tier
    kind: str  # added | removed | changed
    key: str  # indicator/item code, tier name, or "" for settings
    name: str
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def area_label(self) -> str:
        return AREA_LABELS[self.area]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def __str__(self) -> str:
        head = f"{self.kind_label}{self.area_label}"
        if self.area != "settings":
            head += f" {self.key}「{self.name}」".replace(" 「", "「")
        if self.kind == "added":
            details = "；".join(f"{c.label}：{c.new}" for c in self.changes)
        else:
            details = "；".join(f"{c.label}：{c.old or '（空）'} → {c.new or '（空）'}" for c in self.changes)
        return f"{head}：{details}" if details else head


def text(value: Any) -> str:
    """How a dumped value is shown in a diff."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, (list, tuple)):
        return "、".join(text(v) for v in value)
    return str(value)


def params_text(rule_type: str | None, params: dict | None) -> str:
    """The compact parameter text of a rule ("每次=2", "范围=1-3", "好=100%,…"); "" if none."""
    if not rule_type:
        return ""
    try:
        return format_params_text(rule_type, params or {})
    except RuleError:
        return str(params or "")


def rule_text(rule_type: str | None, params: dict | None) -> str:
    """"扣分 每次=2" for a leaf's rule; "" when there is none."""
    if not rule_type:
        return ""
    label = RULE_LABELS.get(rule_type, rule_type)
    return f"{label} {params_text(rule_type, params)}".strip()


@dataclass
class TreeRow:
    """An indicator as the scheme page and `scorecard scheme show` list it."""

    ind: Indicator
    depth: int
    leaf: bool
    first: bool  # first among its siblings
    last: bool
    rule: str  # Chinese label of the rule type ("" for non-leaves)
    params: str  # compact parameter text

    @property
    def indent(self) -> str:
        return "　" * self.depth


def tree_rows(scheme: Scheme) -> list[TreeRow]:
    """The indicators in display order with depth, leaf flag and readable rule."""
    leaf_codes = {n.code for n in leaves(node_specs(scheme))}
    depth: dict[int, int] = {}
    siblings: dict[int | None, list[int]] = {}
    for ind in scheme.indicators:
        depth[ind.id] = depth.get(ind.parent_id, -1) + 1 if ind.parent_id else 0
        siblings.setdefault(ind.parent_id, []).append(ind.id)
    rows = []
    for ind in scheme.indicators:
        group, leaf = siblings[ind.parent_id], ind.code in leaf_codes
        rows.append(TreeRow(ind, depth[ind.id], leaf, group[0] == ind.id, group[-1] == ind.id,
                            RULE_LABELS.get(ind.rule_type, ind.rule_type) if leaf else "",
                            params_text(ind.rule_type, ind.rule_params) if leaf else ""))
    return rows


def _with_rules(scheme: Scheme) -> dict:
    data = dump(scheme)
    leaf_codes = {n.code for n in leaves(node_specs(scheme))}
    for ind in data["indicators"]:
        leaf = ind["code"] in leaf_codes
        ind["rule"] = rule_text(ind["rule_type"], ind["rule_params"]) if leaf else "（非末级）"
    for item in data["items"]:
        item["kind"] = {"bonus": "加分", "penalty": "减分"}.get(item["kind"], item["kind"])
    return data


def _compare(area: str, key: str, name: str, old: dict, new: dict, fields: dict) -> DiffLine | None:
    changes = [FieldChange(f, label, text(old.get(f)), text(new.get(f)))
               for f, label in fields.items() if text(old.get(f)) != text(new.get(f))]
    return DiffLine(area, "changed", key, name, changes) if changes else None


def _diff_keyed(area: str, old: list[dict], new: list[dict], key: str, fields: dict) -> list[DiffLine]:
    before = {row[key]: row for row in old}
    after = {row[key]: row for row in new}
    lines: list[DiffLine] = []
    for row in new:
        k = row[key]
        if k not in before:
            added = [FieldChange(f, label, "", text(row.get(f))) for f, label in fields.items()
                     if f != "name" and text(row.get(f)) and row.get(f) is not False]
            lines.append(DiffLine(area, "added", k if area != "tier" else "", row.get("name", k), added))
        else:
            line = _compare(area, k if area != "tier" else "", row.get("name", k), before[k], row, fields)
            lines += [line] if line else []
    for row in old:
        if row[key] not in after:
            k = row[key] if area != "tier" else ""
            lines.append(DiffLine(area, "removed", k, row.get("name", row[key])))
    return lines


def diff_versions(old: Scheme, new: Scheme) -> list[DiffLine]:
    """What changed from old to new: settings, then indicators keyed by code (added, removed,
    changed with the fields), then items (by code) and tiers (by name)."""
    a, b = _with_rules(old), _with_rules(new)
    lines = []
    setting = _compare("settings", "", "方案设置", a["settings"], b["settings"], SETTING_FIELDS)
    if setting:
        lines.append(setting)
    lines += _diff_keyed("indicator", a["indicators"], b["indicators"], "code", INDICATOR_FIELDS)
    lines += _diff_keyed("item", a["items"], b["items"], "code", ITEM_FIELDS)
    lines += _diff_keyed("tier", a["tiers"], b["tiers"], "name", TIER_FIELDS)
    return lines
