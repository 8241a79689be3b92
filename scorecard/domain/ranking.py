"""The ranking result of a round (`Ranking`): the one read model behind the ranking page, the Excel workbook and
the frozen snapshot of a finalized round. Plain data, JSON round-trippable."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal


@dataclass
class RankingTop:
    code: str
    name: str
    max_points: Decimal


@dataclass
class RankingLeaf:
    code: str
    name: str
    max_points: Decimal
    top_code: str
    rule_type: str


@dataclass
class RankingRow:
    target_id: int
    org_code: str
    org_name: str
    category: str
    group: str
    subtotals: dict[str, Decimal]
    leaf_scores: dict[str, Decimal | None]
    base_raw: Decimal
    applicable_full: Decimal
    base: Decimal
    bonus: Decimal
    penalty: Decimal
    total: Decimal
    rank: int
    tier: str
    computed_tier: str
    notes: list[str] = field(default_factory=list)
    missing: int = 0

    @property
    def notes_text(self) -> str:
        return "；".join(self.notes)


@dataclass
class RankingDeduction:
    category: str
    org_code: str
    org_name: str
    leaf_code: str
    leaf_name: str
    points: Decimal
    reason: str
    assessor: str


@dataclass
class RankingAdjustment:
    category: str
    org_code: str
    org_name: str
    item_code: str
    item_name: str
    kind: str
    points: Decimal
    reason: str


@dataclass
class Ranking:
    round_code: str
    round_name: str
    scheme_name: str
    scheme_version: int
    issuer: str
    date: str
    phase: str
    final: bool
    full_marks: Decimal
    categories: list[str]
    tops: list[RankingTop]
    leaves: list[RankingLeaf]
    rows: list[RankingRow]
    deductions: list[RankingDeduction]
    adjustments: list[RankingAdjustment]

    def rows_of(self, category: str) -> list[RankingRow]:
        return [r for r in self.rows if r.category == category]

    def to_dict(self) -> dict:
        return _plain(asdict(self))

    @classmethod
    def from_dict(cls, data: dict) -> Ranking:
        d = dict(data)
        d["full_marks"] = Decimal(d["full_marks"])
        d["tops"] = [RankingTop(**_dec(t, "max_points")) for t in d["tops"]]
        d["leaves"] = [RankingLeaf(**_dec(x, "max_points")) for x in d["leaves"]]
        d["rows"] = [_row(r) for r in d["rows"]]
        d["deductions"] = [RankingDeduction(**_dec(x, "points")) for x in d["deductions"]]
        d["adjustments"] = [RankingAdjustment(**_dec(x, "points")) for x in d["adjustments"]]
        return cls(**{f.name: d[f.name] for f in fields(cls)})


_ROW_DECIMALS = ("base_raw", "applicable_full", "base", "bonus", "penalty", "total")


def _row(raw: dict) -> RankingRow:
    r = _dec(raw, *_ROW_DECIMALS)
    r["subtotals"] = {k: Decimal(v) for k, v in r["subtotals"].items()}
    r["leaf_scores"] = {k: (None if v is None else Decimal(v)) for k, v in r["leaf_scores"].items()}
    return RankingRow(**r)


def _dec(raw: dict, *keys: str) -> dict:
    out = dict(raw)
    for k in keys:
        out[k] = Decimal(out[k])
    return out


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# -- the settings a ranking is explained by (the 说明 sheet, the ranking page)

@dataclass(frozen=True)
class TierRule:
    name: str
    threshold: Decimal
    quota_pct: Decimal | None = None


EXAMPLE_TIERS = (TierRule("好", Decimal(90)), TierRule("较好", Decimal(80)),
                 TierRule("一般", Decimal(60)), TierRule("差", Decimal(0)))


@dataclass(frozen=True)
class RankingRules:
    """The round's and scheme's settings the ranking is explained by (domain/ranking_rules.py:
    the ranking page and the workbook's 说明 sheet)."""

    tiers: tuple[TierRule, ...] = EXAMPLE_TIERS
    trimmed: bool = False
    convert: bool = False
    bonus_cap: Decimal | None = None
    veto_cap: str | None = None
    tie_break: tuple[str, ...] = field(default_factory=tuple)  # first-level indicator codes
    full_marks: Decimal | None = None  # None: the report's (the workbook fills it in)
    top_names: tuple[tuple[str, str], ...] = ()  # (code, name) of first-level indicators
