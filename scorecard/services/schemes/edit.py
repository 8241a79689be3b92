"""Editing a draft scheme: settings, indicators (add, update, delete with subtree, move),
bonus/penalty items and tiers. Published schemes refuse every edit. Each change writes an
audit row with the old and new values of the fields that changed (C9, C11)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from scorecard.domain.numbers import plain
from scorecard.domain.rules import (
    RuleError,
    default_params,
    normalise_params,
    parse_params_text,
    rule_type_from_label,
    validate_params,
)
from scorecard.models import Indicator, Scheme, SchemeItem, Tier, User
from scorecard.services import audit
from scorecard.services.errors import ServiceError
from scorecard.services.limits import DESCRIPTION
from scorecard.services.schemes.lifecycle import (
    MAX_NAME,
    assign,
    categories_named,
    check_identity,
    dump_indicator,
    read_code,
    read_list,
    read_points,
    read_text,
    record_update,
    require_editable,
)

KINDS = {"bonus": "bonus", "加分": "bonus", "加分项": "bonus", "penalty": "penalty", "减分": "penalty",
         "减分项": "penalty"}
MAX_TIER_NAME = 20
# How each rule type's parameters are written (the edit form and the import template show it).
RULE_HINTS = {
    "direct": "无需参数，请留空",
    "deduct": "每次=2 或 范围=1-3；留空表示每次扣分由考核员填写（扣完为止）",
    "count": "每次=2（累计不超过本指标分值）",
    "grade": "好=100%,较好=80%,一般=60%,差=0%（留空即用此默认）",
    "ratio": "目标=100",
    "check": "无需参数，请留空",
    "vote": "满意=1,基本满意=0.6,不满意=0（留空即用此默认）",
    "tasks": "无需参数，请留空（按责任清单任务按期完成率计分）",
}


# --- settings --------------------------------------------------------------------------------

SETTING_KEYS = ("name", "year", "full_marks", "bonus_cap", "convert", "veto_cap", "tie_break", "categories")


def update_settings(session: Session, actor: User | None, scheme: Scheme, **changes) -> Scheme:
    require_editable(actor, scheme)
    unknown = set(changes) - set(SETTING_KEYS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    values: dict[str, Any] = {}
    if "name" in changes or "year" in changes:
        _, values["name"], values["year"] = check_identity(
            scheme.code, changes.get("name", scheme.name), changes.get("year", scheme.year))
    if "full_marks" in changes:
        values["full_marks"] = read_points(changes["full_marks"], "满分", "full_marks")
    if "bonus_cap" in changes:
        values["bonus_cap"] = read_points(changes["bonus_cap"], "加分上限", "bonus_cap", optional=True)
    if "convert" in changes:
        values["convert"] = bool(changes["convert"])
    if "veto_cap" in changes:
        values["veto_cap"] = _veto_cap(scheme, changes["veto_cap"])
    if "tie_break" in changes:
        values["tie_break"] = _tie_break(scheme, changes["tie_break"])
    if "categories" in changes:
        values["categories"] = categories_named(session, read_list(changes["categories"]))
    old, new = assign(scheme, values)
    record_update(session, actor, "scheme", scheme, old, new, "修改方案设置")
    return scheme


def _veto_cap(scheme: Scheme, value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    names = [t.name for t in scheme.tiers]
    if text not in names:
        raise ServiceError(f"一票否决封顶等次「{text}」不是方案中的等次（可用：{'、'.join(names)}）", "veto_cap")
    return text


def _tie_break(scheme: Scheme, value: Any) -> list[str]:
    codes = read_list(value)
    tops = [i.code for i in scheme.indicators if i.parent is None]
    bad = [c for c in codes if c not in tops]
    if bad:
        raise ServiceError(f"并列排序依据「{'、'.join(bad)}」不是一级指标编码（可用：{'、'.join(tops)}）",
                           "tie_break")
    return list(dict.fromkeys(codes))


# --- indicators -------------------------------------------------------------------------------

INDICATOR_KEYS = ("code", "name", "max_points", "content", "rule_text", "methods", "categories",
                  "evidence_hint", "evidence_required", "rule_type", "params_text", "params")


def _who(code: Any, name: Any) -> str:
    return f"指标 {str(code or '').strip() or '（新）'}「{str(name or '').strip()}」："


def _indicator_values(scheme: Scheme, ind: Indicator | None, changes: dict) -> dict:
    unknown = set(changes) - set(INDICATOR_KEYS)
    if unknown:
        raise TypeError(f"unknown indicator fields: {sorted(unknown)}")
    who = _who(changes.get("code", ind.code if ind else ""), changes.get("name", ind.name if ind else ""))
    out: dict[str, Any] = {}
    if "code" in changes:
        taken = {i.code for i in scheme.indicators if i is not ind}
        out["code"] = read_code(changes["code"], "编码", "code", taken, who)
    if "name" in changes:
        out["name"] = read_text(changes["name"], "名称", "name", MAX_NAME, prefix=who)
    if "max_points" in changes:
        out["max_points"] = read_points(changes["max_points"], "分值", "max_points", prefix=who)
    for key, label in (("content", "考核内容"), ("rule_text", "评分标准"), ("evidence_hint", "佐证提示")):
        if key in changes:
            out[key] = read_text(changes[key], label, key, DESCRIPTION, prefix=who, required=False)
    if "evidence_required" in changes:
        out["evidence_required"] = bool(changes["evidence_required"])
    if "methods" in changes:
        out["methods"] = list(dict.fromkeys(read_list(changes["methods"])))
    if "categories" in changes:
        out["categories"] = _indicator_categories(scheme, changes["categories"], who)
    if {"rule_type", "params_text", "params"} & set(changes):
        out.update(_rule(ind, changes, out.get("max_points", ind.max_points if ind else None), who))
    return out


def _indicator_categories(scheme: Scheme, value: Any, who: str) -> list:
    known = {c.name: c for c in scheme.categories}
    names = list(dict.fromkeys(read_list(value)))
    bad = [n for n in names if n not in known]
    if bad:
        raise ServiceError(f"{who}适用类别「{'、'.join(bad)}」不在方案类别中（可用：{'、'.join(known)}）",
                           "categories")
    return [known[n] for n in names]


def _rule(ind: Indicator | None, changes: dict, max_points, who: str) -> dict:
    try:
        rule_type = rule_type_from_label(changes.get("rule_type") or (ind.rule_type if ind else "direct"))
    except RuleError as exc:
        raise ServiceError(f"{who}计分方式：{exc.message}", "rule_type") from None
    try:
        if "params_text" in changes:
            params = parse_params_text(rule_type, changes["params_text"])
        elif "params" in changes:
            params = dict(changes["params"] or {})
        elif ind is not None and ind.rule_type == rule_type:
            params = dict(ind.rule_params or {})
        else:
            params = default_params(rule_type)
    except RuleError as exc:
        raise ServiceError(f"{who}计分参数：{exc.message}", "params_text") from None
    errors = validate_params(rule_type, max_points, params)
    if errors:
        raise ServiceError(f"{who}计分参数：{'；'.join(errors)}", "params_text")
    return {"rule_type": rule_type, "rule_params": normalise_params(rule_type, params)}


def add_indicator(session: Session, actor: User | None, scheme: Scheme, parent: Indicator | None,
                  code: str, name: str, max_points, **fields) -> Indicator:
    """A new indicator, placed last under its parent (or last at the first level)."""
    require_editable(actor, scheme)
    if parent is not None and parent.scheme_id != scheme.id:
        raise ServiceError("上级指标不属于该方案", "parent")
    values = _indicator_values(scheme, None, {"code": code, "name": name, "max_points": max_points,
                                              "rule_type": fields.pop("rule_type", "direct"), **fields})
    categories = values.pop("categories", [])
    last = max((i.position for i in scheme.indicators), default=0)
    ind = Indicator(parent=parent, position=last + 1, categories=categories, **values)
    scheme.indicators.append(ind)
    renumber(scheme)
    session.flush()
    audit.record(session, actor, "create", "indicator", ind.id, new=dump_indicator(ind),
                 reason=f"方案 {scheme.code} 第{scheme.version}版")
    return ind


def update_indicator(session: Session, actor: User | None, ind: Indicator, **changes) -> Indicator:
    """Change any field, incl. the rule type (identifier or Chinese label) and the params text
    (e.g. "每次=2", "范围=1-3", "好=100%,较好=80%")."""
    require_editable(actor, ind.scheme)
    values = _indicator_values(ind.scheme, ind, changes)
    old, new = assign(ind, values)
    record_update(session, actor, "indicator", ind, old, new, f"指标 {ind.code}")
    return ind


def subtree(scheme: Scheme, ind: Indicator) -> list[Indicator]:
    """The indicator and all its descendants, in display order."""
    out, members = [], {id(ind)}
    for i in sorted(scheme.indicators, key=lambda x: x.position):
        if i is ind or (i.parent is not None and id(i.parent) in members):
            members.add(id(i))
            out.append(i)
    return out


def delete_indicator(session: Session, actor: User | None, ind: Indicator) -> None:
    scheme = ind.scheme
    require_editable(actor, scheme)
    removed = subtree(scheme, ind)
    old = {"indicators": [dump_indicator(i) for i in removed]}
    ident = ind.id
    for node in reversed(removed):
        scheme.indicators.remove(node)
        session.delete(node)
    session.flush()
    renumber(scheme)
    session.flush()
    audit.record(session, actor, "delete", "indicator", ident, old=old,
                 reason=f"方案 {scheme.code} 第{scheme.version}版，连同下级共{len(removed)}项")


def move_indicator(session: Session, actor: User | None, ind: Indicator, direction: str) -> None:
    """Swap with the previous ("up") or next ("down") sibling; subtrees move along."""
    scheme = ind.scheme
    require_editable(actor, scheme)
    siblings = sorted((i for i in scheme.indicators if i.parent is ind.parent), key=lambda i: i.position)
    index = siblings.index(ind)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(siblings):
        where = "最前" if direction == "up" else "最后"
        raise ServiceError(f"{_who(ind.code, ind.name)}已在同级{where}，不能再移动", "position")
    before = [s.code for s in siblings]
    ind.position, siblings[other].position = siblings[other].position, ind.position
    renumber(scheme)
    session.flush()
    after = [s.code for s in sorted(siblings, key=lambda i: i.position)]
    audit.record(session, actor, "move", "indicator", ind.id, old={"order": before}, new={"order": after},
                 reason=f"指标 {ind.code}")


def renumber(scheme: Scheme) -> None:
    """Positions 1..n in display order: each indicator followed by its subtree."""
    kids: dict[int | None, list[Indicator]] = {}
    for i in sorted(scheme.indicators, key=lambda x: x.position):
        kids.setdefault(id(i.parent) if i.parent is not None else None, []).append(i)
    order: list[Indicator] = []
    stack = list(reversed(kids.get(None, [])))
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(reversed(kids.get(id(node), [])))
    for pos, node in enumerate(order, start=1):
        node.position = pos
    scheme.indicators.sort(key=lambda x: x.position)


# --- bonus / penalty items --------------------------------------------------------------------

def _item_values(scheme: Scheme, item: SchemeItem | None, changes: dict) -> dict:
    who = f"加减分项 {str(changes.get('code', item.code if item else '')).strip() or '（新）'}："
    out: dict[str, Any] = {}
    if "code" in changes:
        taken = {i.code for i in scheme.items if i is not item}
        out["code"] = read_code(changes["code"], "编码", "code", taken, who)
    if "name" in changes:
        out["name"] = read_text(changes["name"], "名称", "name", MAX_NAME, prefix=who)
    if "kind" in changes:
        kind = KINDS.get(str(changes["kind"] or "").strip())
        if kind is None:
            raise ServiceError(f"{who}类型应为「加分」或「减分」（当前「{changes['kind'] or ''}」）", "kind")
        out["kind"] = kind
    if "points" in changes:
        out["points"] = read_points(changes["points"], "每项分值", "points", prefix=who, optional=True)
    if "cap" in changes:
        out["cap"] = read_points(changes["cap"], "单项上限", "cap", prefix=who, optional=True)
    points = out.get("points", item.points if item else None)
    cap = out.get("cap", item.cap if item else None)
    if points is not None and cap is not None and cap < points:
        raise ServiceError(f"{who}单项上限{plain(cap)}小于每项分值{plain(points)}", "cap")
    return out


def add_item(session: Session, actor: User | None, scheme: Scheme, code: str, name: str, kind: str,
             points=None, cap=None) -> SchemeItem:
    require_editable(actor, scheme)
    values = _item_values(scheme, None, {"code": code, "name": name, "kind": kind, "points": points, "cap": cap})
    item = SchemeItem(position=max((i.position for i in scheme.items), default=0) + 1, **values)
    scheme.items.append(item)
    session.flush()
    audit.record(session, actor, "create", "scheme_item", item.id, new=values,
                 reason=f"方案 {scheme.code} 第{scheme.version}版")
    return item


def update_item(session: Session, actor: User | None, item: SchemeItem, **changes) -> SchemeItem:
    scheme = session.get(Scheme, item.scheme_id)
    require_editable(actor, scheme)
    old, new = assign(item, _item_values(scheme, item, changes))
    record_update(session, actor, "scheme_item", item, old, new, f"加减分项 {item.code}")
    return item


def delete_item(session: Session, actor: User | None, item: SchemeItem) -> None:
    scheme = session.get(Scheme, item.scheme_id)
    require_editable(actor, scheme)
    old = {"code": item.code, "name": item.name, "kind": item.kind, "points": item.points, "cap": item.cap}
    scheme.items.remove(item)
    session.flush()
    audit.record(session, actor, "delete", "scheme_item", item.id, old=old,
                 reason=f"方案 {scheme.code} 第{scheme.version}版")


# --- tiers --------------------------------------------------------------------------------------

def _tier_values(scheme: Scheme, tier: Tier | None, changes: dict) -> dict:
    who = f"等次「{str(changes.get('name', tier.name if tier else '')).strip()}」："
    out: dict[str, Any] = {}
    if "name" in changes:
        name = read_text(changes["name"], "等次名称", "name", MAX_TIER_NAME, prefix=who)
        if name in {t.name for t in scheme.tiers if t is not tier}:
            raise ServiceError(f"等次名称「{name}」已存在", "name")
        out["name"] = name
    if "threshold" in changes:
        out["threshold"] = read_points(changes["threshold"], "最低分", "threshold", prefix=who, zero_ok=True)
    if "quota_pct" in changes:
        out["quota_pct"] = read_points(changes["quota_pct"], "名额比例", "quota_pct", prefix=who,
                                       optional=True, zero_ok=True, upper=Decimal(100))
    return out


def _sort_tiers(scheme: Scheme) -> None:
    """Best first: by threshold, highest first (ties keep their order)."""
    ordered = sorted(scheme.tiers, key=lambda t: (-t.threshold, t.position))
    for pos, t in enumerate(ordered):
        t.position = pos
    scheme.tiers.sort(key=lambda t: t.position)


def add_tier(session: Session, actor: User | None, scheme: Scheme, name: str, threshold,
             quota_pct=None) -> Tier:
    require_editable(actor, scheme)
    values = _tier_values(scheme, None, {"name": name, "threshold": threshold, "quota_pct": quota_pct})
    tier = Tier(position=len(scheme.tiers), **values)
    scheme.tiers.append(tier)
    _sort_tiers(scheme)
    session.flush()
    audit.record(session, actor, "create", "tier", tier.id, new=values,
                 reason=f"方案 {scheme.code} 第{scheme.version}版")
    return tier


def update_tier(session: Session, actor: User | None, tier: Tier, **changes) -> Tier:
    """A renamed tier keeps being the veto cap if it was."""
    scheme = session.get(Scheme, tier.scheme_id)
    require_editable(actor, scheme)
    former = tier.name
    old, new = assign(tier, _tier_values(scheme, tier, changes))
    if "name" in new and scheme.veto_cap == former:
        scheme.veto_cap = tier.name
        old["veto_cap"], new["veto_cap"] = former, tier.name
    _sort_tiers(scheme)
    record_update(session, actor, "tier", tier, old, new, f"方案 {scheme.code} 第{scheme.version}版")
    return tier


def delete_tier(session: Session, actor: User | None, tier: Tier) -> None:
    scheme = session.get(Scheme, tier.scheme_id)
    require_editable(actor, scheme)
    old = {"name": tier.name, "threshold": tier.threshold, "quota_pct": tier.quota_pct}
    scheme.tiers.remove(tier)
    _sort_tiers(scheme)
    session.flush()
    audit.record(session, actor, "delete", "tier", tier.id, old=old,
                 reason=f"方案 {scheme.code} 第{scheme.version}版")
