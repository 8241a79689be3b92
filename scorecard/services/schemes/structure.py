"""The shape of a scheme as the domain sees it: leaves, first levels, applicability, rules."""
from __future__ import annotations

from dataclasses import dataclass, field

from scorecard.domain import SchemeSpec, TierSpec
from scorecard.domain.rules import LeafRule
from scorecard.domain.tree import NodeSpec, applicable_leaves, leaves, top_level_of
from scorecard.models import Indicator, Scheme


def node_specs(scheme: Scheme) -> list[NodeSpec]:
    parent_code = {i.id: i.code for i in scheme.indicators}
    has_children = {i.parent_id for i in scheme.indicators if i.parent_id}
    return [
        NodeSpec(
            code=i.code,
            name=i.name,
            max_points=i.max_points,
            parent_code=parent_code.get(i.parent_id) if i.parent_id else None,
            categories=frozenset(c.name for c in i.categories),
            rule_type=None if i.id in has_children else i.rule_type,
            params=i.rule_params or {},
        )
        for i in scheme.indicators
    ]


@dataclass
class Structure:
    scheme: Scheme
    nodes: list[NodeSpec]
    by_code: dict[str, Indicator]
    leaf_codes: list[str]
    tops: list[Indicator]
    top_of: dict[str, str]
    applicable: dict[str, frozenset[str]] = field(default_factory=dict)
    _rules: dict[str, LeafRule] = field(default_factory=dict, repr=False, compare=False)

    def leaf(self, code: str) -> Indicator:
        return self.by_code[code]

    def rule(self, code: str) -> LeafRule:
        # Built (and validated) once per leaf: a round's report asks for it per score.
        if code not in self._rules:
            ind = self.by_code[code]
            self._rules[code] = LeafRule(ind.rule_type, ind.max_points, ind.rule_params or {})
        return self._rules[code]

    def applies(self, leaf_code: str, category: str) -> bool:
        return leaf_code in self.applicable.get(category, frozenset())

    def category_names(self) -> list[str]:
        return list(self.applicable)

    def leaves_for(self, category: str) -> list[Indicator]:
        codes = self.applicable.get(category, frozenset())
        return [self.by_code[c] for c in self.leaf_codes if c in codes]

    def spec(self) -> SchemeSpec:
        s = self.scheme
        return SchemeSpec(
            full_marks=s.full_marks,
            convert=s.convert,
            bonus_cap=s.bonus_cap,
            leaves=[(c, self.by_code[c].max_points, self.top_of[c]) for c in self.leaf_codes],
            applicable=self.applicable,
            top_codes=[t.code for t in self.tops],
            tiers=[TierSpec(t.name, t.threshold, t.quota_pct) for t in s.tiers],
            veto_cap=s.veto_cap,
            tie_break=list(s.tie_break or []),
        )


def structure(scheme: Scheme, categories: list[str] | None = None) -> Structure:
    """categories: the category names to compute applicability for (default: the scheme's)."""
    nodes = node_specs(scheme)
    names = categories if categories is not None else [c.name for c in scheme.categories]
    by_code = {i.code: i for i in scheme.indicators}
    return Structure(
        scheme=scheme,
        nodes=nodes,
        by_code=by_code,
        leaf_codes=[n.code for n in leaves(nodes)],
        tops=[i for i in scheme.indicators if i.parent_id is None],
        top_of=top_level_of(nodes),
        applicable={name: frozenset(n.code for n in applicable_leaves(nodes, name)) for name in names},
    )
