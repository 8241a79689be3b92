"""Column specs shared by the HTML tables and the Excel sheets (one definition, two renderers)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from scorecard.domain.ranking import Ranking, RankingDeduction, RankingRow


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str  # "int" | "num" (2 decimals) | "text"
    width: int  # Excel width in characters (CJK counts double)
    value: Callable[[object], object]
    group: str | None = None  # upper header row for merged multi-level headers


def ranking_columns(report: Ranking) -> list[Column]:
    """排名, 组织编码, 组织名称, 类别, each first-level subtotal, 基础分, 加分, 减分, 总分, 等次, 备注."""
    cols = [
        Column("rank", "排名", "int", 6, lambda r: r.rank),
        Column("org_code", "组织编码", "text", 10, lambda r: r.org_code),
        Column("org_name", "组织名称", "text", 34, lambda r: r.org_name),
        Column("category", "类别", "text", 10, lambda r: r.category),
    ]
    for top in report.tops:
        cols.append(Column(f"top:{top.code}", f"{top.name}（{_pts(top.max_points)}分）", "num",
                           max(10, _cjk_width(top.name) + 6),
                           lambda r, c=top.code: r.subtotals.get(c), group="一级指标得分"))
    cols += [
        Column("base", "基础分", "num", 9, lambda r: r.base),
        Column("bonus", "加分", "num", 7, lambda r: r.bonus),
        Column("penalty", "减分", "num", 7, lambda r: r.penalty),
        Column("total", "总分", "num", 9, lambda r: r.total),
        Column("tier", "等次", "text", 7, lambda r: r.tier),
        Column("notes", "备注", "text", 40, lambda r: r.notes_text),
    ]
    return cols


def detail_columns(report: Ranking) -> list[Column]:
    """Targets × leaves: every leaf's final score under its first level (the merged upper
    header), each first level closed by its subtotal column (小计)."""
    cols = [
        Column("org_code", "组织编码", "text", 10, lambda r: r.org_code),
        Column("org_name", "组织名称", "text", 34, lambda r: r.org_name),
        Column("category", "类别", "text", 10, lambda r: r.category),
    ]
    for top in report.tops:
        for leaf in (x for x in report.leaves if x.top_code == top.code):
            cols.append(Column(f"leaf:{leaf.code}", f"{leaf.code} {leaf.name}（{_pts(leaf.max_points)}分）",
                               "num", 12, lambda r, c=leaf.code: r.leaf_scores.get(c), group=top.name))
        cols.append(Column(f"sub:{top.code}", f"小计（{_pts(top.max_points)}分）", "num", 10,
                           lambda r, c=top.code: r.subtotals.get(c), group=top.name))
    cols += [
        Column("base", "基础分", "num", 9, lambda r: r.base),
        Column("total", "总分", "num", 9, lambda r: r.total),
        Column("tier", "等次", "text", 7, lambda r: r.tier),
        Column("notes", "备注", "text", 40, lambda r: r.notes_text),  # 一票否决, 等次调整 with reasons
    ]
    return cols


def deduction_columns() -> list[Column]:
    return [
        Column("category", "类别", "text", 10, lambda d: d.category),
        Column("org_code", "组织编码", "text", 10, lambda d: d.org_code),
        Column("org_name", "组织名称", "text", 34, lambda d: d.org_name),
        Column("leaf", "指标", "text", 30, lambda d: f"{d.leaf_code} {d.leaf_name}"),
        Column("points", "扣分", "num", 8, lambda d: d.points),
        Column("reason", "扣分原因", "text", 50, lambda d: d.reason),
        Column("assessor", "考核员", "text", 12, lambda d: d.assessor),
    ]


def _pts(value) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _cjk_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


__all__ = ["Column", "ranking_columns", "detail_columns", "deduction_columns", "RankingRow", "RankingDeduction"]
