"""Indicator tree of a scheme: structure helpers and validation before
publish (DESIGN §2 "Scheme")."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from scorecard.domain.numbers import fmt, places, to_decimal
from scorecard.domain.rule_base import RULE_TYPES
from scorecard.domain.rule_params import validate_params


@dataclass
class NodeSpec:
    """One indicator. categories empty = applies to every category;
    rule_type is None for non-leaves."""

    code: str
    name: str
    max_points: Decimal
    parent_code: str | None = None
    categories: frozenset[str] = frozenset()
    rule_type: str | None = None
    params: Mapping = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.parent_code = self.parent_code or None
        self.categories = frozenset(self.categories or ())
        if self.params is None:
            self.params = {}


K = TypeVar("K", bound=Hashable)


def find_cycles(parent_of: Mapping[K, K | None]) -> list[list[K]]:
    """Every loop of a parent relation (indicators, organisations), once each: its keys in
    parent direction, starting with the one that comes first in the mapping. A parent that is
    not a key ends a chain; a key that is its own parent is a loop of one."""
    order = {key: i for i, key in enumerate(parent_of)}
    state: dict[K, int] = {}  # 1 = on the current walk, 2 = finished
    cycles: list[list[K]] = []
    for start in parent_of:
        path: list[K] = []
        node: K | None = start
        while node is not None and node in parent_of and node not in state:
            state[node] = 1
            path.append(node)
            node = parent_of[node]
        if node is not None and state.get(node) == 1:
            loop = path[path.index(node):]
            head = min(range(len(loop)), key=lambda i: order[loop[i]])
            cycles.append(loop[head:] + loop[:head])
        for key in path:
            state[key] = 2
    return cycles


def label(node: NodeSpec) -> str:
    """How messages name an indicator: 指标 1.2「理论学习中心组学习」."""
    return f"指标 {node.code}「{node.name}」"


def _index(nodes: Iterable[NodeSpec]) -> dict[str, NodeSpec]:
    by_code: dict[str, NodeSpec] = {}
    for n in nodes:
        by_code.setdefault(n.code, n)
    return by_code


def _children(nodes: Sequence[NodeSpec]) -> dict[str, list[NodeSpec]]:
    kids: dict[str, list[NodeSpec]] = {}
    for n in nodes:
        if n.parent_code is not None:
            kids.setdefault(n.parent_code, []).append(n)
    return kids


def _ancestors(node: NodeSpec, by_code: Mapping[str, NodeSpec]) -> list[NodeSpec]:
    """Parent first, up to the root; stops at a missing parent or a cycle."""
    out: list[NodeSpec] = []
    seen = {node.code}
    code = node.parent_code
    while code is not None and code in by_code and code not in seen:
        seen.add(code)
        parent = by_code[code]
        out.append(parent)
        code = parent.parent_code
    return out


def leaves(nodes: Sequence[NodeSpec]) -> list[NodeSpec]:
    """Nodes without children, in input order."""
    parents = {n.parent_code for n in nodes}
    return [n for n in nodes if n.code not in parents]


def top_level_of(nodes: Sequence[NodeSpec]) -> dict[str, str]:
    """leaf code → code of its first-level (top) ancestor (itself if top)."""
    by_code = _index(nodes)
    result = {}
    for leaf in leaves(nodes):
        chain = _ancestors(leaf, by_code)
        result[leaf.code] = chain[-1].code if chain else leaf.code
    return result


def applicable(node: NodeSpec, category: str,
               nodes: Sequence[NodeSpec] | Mapping[str, NodeSpec] | None = None) -> bool:
    """A node applies to a category if its own categories and all its
    ancestors' are empty or contain the category. Ancestors are only looked
    at when ``nodes`` (a list or a code → node mapping) is given."""
    chain = [node]
    if nodes is not None:
        by_code = nodes if isinstance(nodes, Mapping) else _index(nodes)
        chain += _ancestors(node, by_code)
    return all(not n.categories or category in n.categories for n in chain)


def applicable_leaves(nodes: Sequence[NodeSpec], category: str) -> list[NodeSpec]:
    by_code = _index(nodes)
    return [n for n in leaves(nodes) if applicable(n, category, by_code)]


# --- validation -------------------------------------------------------------

def _points(node: NodeSpec) -> Decimal | None:
    try:
        return to_decimal(node.max_points)
    except ValueError:
        return None


def _check_codes(nodes: Sequence[NodeSpec]) -> list[str]:
    errors, seen = [], set()
    for i, n in enumerate(nodes, start=1):
        code = (n.code or "").strip()
        if not code:
            errors.append(f"第{i}个指标「{n.name}」：编码不能为空")
        elif n.code in seen:
            errors.append(f"{label(n)}：编码重复")
        seen.add(n.code)
    return errors


def _check_links(nodes: Sequence[NodeSpec], by_code: Mapping[str, NodeSpec]) -> list[str]:
    errors = []
    looped = {code for loop in find_cycles({c: n.parent_code for c, n in by_code.items()}) for code in loop}
    for n in nodes:
        if n.parent_code is None:
            continue
        if n.parent_code not in by_code:
            errors.append(f"{label(n)}：上级指标 {n.parent_code} 不存在")
        elif n.code in looped:
            errors.append(f"{label(n)}：上下级关系存在循环")
    return errors


def _check_node(n: NodeSpec, is_leaf: bool) -> list[str]:
    errors = []
    if not str(n.name or "").strip():
        errors.append(f"{label(n)}：名称不能为空")
    mp = _points(n)
    if mp is None:
        errors.append(f"{label(n)}：分值不是有效的数字：{n.max_points}")
    elif mp <= 0:
        errors.append(f"{label(n)}：分值必须大于0")
    elif places(mp) > 2:
        errors.append(f"{label(n)}：分值最多保留两位小数")
    if is_leaf:
        if n.rule_type is None or n.rule_type not in RULE_TYPES:
            shown = n.rule_type or "未设置"
            errors.append(f"{label(n)}：末级指标的计分方式无效（{shown}）")
        else:
            errors += [f"{label(n)}：{m}" for m in validate_params(n.rule_type, mp, n.params)]
    return errors


def _check_categories(nodes: Sequence[NodeSpec], by_code: Mapping[str, NodeSpec],
                      categories: Sequence[str]) -> list[str]:
    known, errors = set(categories or ()), []
    for n in nodes:
        for c in sorted(n.categories - known):
            errors.append(f"{label(n)}：适用类别「{c}」不在方案类别中")
        limit = next((a for a in _ancestors(n, by_code) if a.categories), None)
        extra = n.categories - limit.categories if limit else frozenset()
        if extra:
            errors.append(f"{label(n)}：适用类别「{'、'.join(sorted(extra))}」"
                          f"超出上级{label(limit)}的适用类别")
    return errors


def _sum_errors(head: str, what: str, limit: Decimal, kids: Sequence[NodeSpec],
                views: Sequence[str], convert: bool) -> list[str]:
    """Children (or first levels) against their parent's points (or 满分).

    When some children are restricted to categories (分类考核: alternative
    indicators per category), the sum is checked per category over the
    children that apply to it; a category may fall short of the parent only
    when the scheme converts (折算)."""
    if not views or not any(k.categories for k in kids):
        total = sum((_points(k) for k in kids), Decimal(0))
        return [] if total == limit else [f"{head}{what}合计 {fmt(total)} ≠ {_limit_name(head)} {fmt(limit)}"]
    errors = []
    for c in views:
        total = sum((_points(k) for k in kids if not k.categories or c in k.categories), Decimal(0))
        if total > limit or (total < limit and not convert):
            errors.append(f"{head}类别「{c}」{what}合计 {fmt(total)} ≠ {_limit_name(head)} {fmt(limit)}")
    return errors


def _limit_name(head: str) -> str:
    return "本级分值" if head else "满分"


def _check_sums(nodes: Sequence[NodeSpec], by_code: Mapping[str, NodeSpec], full_marks: Decimal,
                categories: Sequence[str], convert: bool) -> list[str]:
    errors = []
    kids = _children(nodes)
    cats = list(dict.fromkeys(categories or ()))
    for n in nodes:
        if n.code in kids:
            views = [c for c in cats if applicable(n, c, by_code)]
            errors += _sum_errors(f"{label(n)}：", "下级分值", _points(n), kids[n.code], views, convert)
    tops = [n for n in nodes if n.parent_code is None]
    errors += _sum_errors("", "一级指标分值", full_marks, tops, cats, convert)
    return errors


def _check_coverage(nodes: Sequence[NodeSpec], full_marks: Decimal,
                    categories: Sequence[str], convert: bool) -> list[str]:
    errors = []
    for c in dict.fromkeys(categories or ()):
        found = applicable_leaves(nodes, c)
        total = sum((_points(n) for n in found), Decimal(0))
        if not found:
            errors.append(f"类别「{c}」没有适用的末级指标")
        elif not convert and total != full_marks:
            errors.append(f"类别「{c}」适用指标分值合计 {fmt(total)} ≠ 满分 {fmt(full_marks)}"
                          "（未启用折算时须等于满分）")
    return errors


def validate_tree(nodes: list[NodeSpec], full_marks: Decimal,
                  categories: list[str], convert: bool) -> list[str]:
    """Every problem that blocks publishing, as Chinese messages (empty = OK).

    Children sum to their parent and first levels to 满分; where children are
    restricted to categories (alternative indicators per category) that holds
    per category (falling short only when convert). Every category needs an
    applicable leaf, and without conversion its leaves must sum to 满分.
    Sum and coverage checks run only once the structure itself is sound."""
    try:
        full = to_decimal(full_marks)
    except ValueError:
        return [f"满分不是有效的数字：{full_marks}"]
    errors = [] if full > 0 else ["满分必须大于0"]
    if not nodes:
        return errors + ["方案中没有任何指标"]
    by_code = _index(nodes)
    structure = _check_codes(nodes) + _check_links(nodes, by_code)
    errors += structure
    leaf_codes = {n.code for n in leaves(nodes)}
    for n in nodes:
        errors += _check_node(n, n.code in leaf_codes)
    errors += _check_categories(nodes, by_code, categories)
    points_ok = all(_points(n) is not None for n in nodes)
    if not structure and points_ok:
        errors += _check_sums(nodes, by_code, full, categories, convert)
        errors += _check_coverage(nodes, full, categories, convert)
    return errors
