"""A parsed scheme as every scheme importer returns it (the template and the rulebook layouts),
and the capped sheet reader they share."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from scorecard.importers.common import ImportFailed, ImportIssue

MAX_SCHEME_ROWS = 5000
MAX_SCHEME_COLS = 60

DEFAULT_TIERS = (("好", Decimal(90)), ("较好", Decimal(80)), ("一般", Decimal(60)), ("差", Decimal(0)))


@dataclass
class ParsedIndicator:
    row: int
    code: str
    parent_code: str | None
    name: str
    max_points: Decimal
    content: str
    rule_text: str
    methods: list[str]
    categories: list[str]
    rule_type: str
    params: dict
    evidence_hint: str
    evidence_required: bool = False


@dataclass
class ParsedItem:
    row: int
    code: str
    name: str
    kind: str  # "bonus" | "penalty"
    points: Decimal | None
    cap: Decimal | None


@dataclass
class ParsedTier:
    name: str
    threshold: Decimal
    quota_pct: Decimal | None


@dataclass
class ParsedScheme:
    layout: str  # "template" | "rulebook"
    title: str | None
    indicators: list[ParsedIndicator]
    items: list[ParsedItem] = field(default_factory=list)
    tiers: list[ParsedTier] = field(default_factory=list)
    settings: dict = field(default_factory=dict)


def default_tiers() -> list[ParsedTier]:
    return [ParsedTier(name, threshold, None) for name, threshold in DEFAULT_TIERS]


def sheet_rows(ws, max_rows: int = MAX_SCHEME_ROWS, max_cols: int = MAX_SCHEME_COLS) -> list[tuple]:
    """All values of a (normal-mode) sheet, capped; row i of the sheet is rows[i - 1]."""
    if ws.max_row > max_rows:
        raise ImportFailed([ImportIssue(f"行数超过{max_rows}行上限，请检查是否为方案文件", ws.title)])
    width = min(ws.max_column, max_cols)
    return [tuple(r) for r in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=width, values_only=True)]
