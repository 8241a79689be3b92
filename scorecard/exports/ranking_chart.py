"""The 等次分布 sheet of the ranking workbook: per category, how many targets got each tier,
as a table and a native Excel chart (stacked columns, one series per tier in its tier colour).

The chart's series point at the table's cells, so Excel redraws it when someone edits a count."""
from __future__ import annotations

from typing import Sequence

from scorecard.domain.ranking import Ranking
from scorecard.exports.xlsx import PrintSetup, Styles, set_print, tier_colors, write_title

CHART = "等次分布"
HEADER_ROW = 2


def tier_names(report: Ranking, rules_tiers: Sequence) -> list[str]:
    """The scheme's tiers best first, then any other tier found in the rows (e.g. an override)."""
    names = [t.name for t in rules_tiers]
    for row in report.rows:
        if row.tier and row.tier not in names:
            names.append(row.tier)
    return names


def distribution(report: Ranking, tiers: Sequence[str]) -> list[tuple[str, list[int]]]:
    """[(category, [count per tier])] in report order."""
    out = []
    for category in report.categories:
        counts = [0] * len(tiers)
        for row in report.rows_of(category):
            if row.tier in tiers:
                counts[tiers.index(row.tier)] += 1
        out.append((category, counts))
    return out


def write_tier_chart(wb, styles: Styles, report: Ranking, tiers: Sequence[str], subtitle: str) -> None:
    ws = wb.add_worksheet(CHART)
    ncols = len(tiers) + 2
    ws.set_column(0, 0, 16)
    ws.set_column(1, ncols - 1, 10)
    write_title(ws, 0, ncols, f"{report.round_name}等次分布", styles.redhead, 32)
    write_title(ws, 1, ncols, subtitle, styles.redline, 20)
    for col, text in enumerate(["考核类别", *tiers, "合计"]):
        ws.write_string(HEADER_ROW, col, text, styles.header)
    rows = distribution(report, tiers)
    row = HEADER_ROW + 1
    for category, counts in rows:
        ws.write_string(row, 0, category, styles.text)
        for col, n in enumerate(counts, start=1):
            ws.write_number(row, col, n, styles.int)
        ws.write_number(row, ncols - 1, sum(counts), styles.int)
        row += 1
    ws.write_string(row, 0, "合计", styles.text)
    for col in range(1, ncols):
        ws.write_number(row, col, sum(c[col - 1] for _, c in rows) if col < ncols - 1
                        else len([r for r in report.rows if r.tier in tiers]), styles.int)
    ws.freeze_panes(HEADER_ROW + 1, 1)
    if rows:
        ws.insert_chart(row + 2, 0, _chart(wb, tiers, len(rows)), {"x_scale": 1.6, "y_scale": 1.4})
    set_print(ws, PrintSetup(HEADER_ROW, HEADER_ROW))


def _chart(wb, tiers: Sequence[str], ncats: int):
    first, last = HEADER_ROW + 1, HEADER_ROW + ncats
    font = {"name": "宋体"}
    chart = wb.add_chart({"type": "column", "subtype": "stacked"})
    for i, tier in enumerate(tiers):
        fill, _ = tier_colors(i, len(tiers))
        chart.add_series({
            "name": [CHART, HEADER_ROW, i + 1],
            "categories": [CHART, first, 0, last, 0],
            "values": [CHART, first, i + 1, last, i + 1],
            "fill": {"color": fill},
            "border": {"color": "#808080"},
            "data_labels": {"value": True, "font": font},
            "gap": 80,
        })
    chart.set_title({"name": "各类别等次分布（个）", "name_font": {**font, "size": 14, "bold": True}})
    chart.set_x_axis({"name": "考核类别", "name_font": font, "num_font": font})
    chart.set_y_axis({"name": "考核对象数", "name_font": font, "num_font": font,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_legend({"position": "bottom", "font": font})
    return chart
