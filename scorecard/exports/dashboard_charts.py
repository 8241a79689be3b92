"""The round dashboard's cards: per chart its title, note, the chart data that
static/dashboard.js draws (one JSON block, no inline script: CSP) and the table behind it
(the column specs of dashboard_columns.py)."""
from __future__ import annotations

from decimal import Decimal

from scorecard.domain.numbers import fmt, plain
from scorecard.exports import dashboard_columns as dc
from scorecard.exports.columns import Column
from scorecard.services.dashboard.round_dashboard import Dashboard

TIER_COLORS = ["#2e7d32", "#1565c0", "#f9a825", "#c62828", "#6d4c41", "#546e7a"]
PROGRESS_COLORS = ["#2e7d32", "#f9a825", "#c62828"]


def cell_text(column: Column, row) -> str:
    """A value as an HTML table shows it (numbers with two decimals)."""
    value = column.value(row)
    if value is None:
        return ""
    return fmt(value) if column.kind == "num" else str(value)


def data_table(cols: list[Column], rows) -> dict:
    return {"cols": cols, "rows": [[(c.kind, cell_text(c, r)) for c in cols] for r in rows]}


def number(value: Decimal | int | None):
    """A Decimal as a plain JSON number (exact to the two places it carries); None stays null."""
    if value is None or isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def bar(chart_id: str, categories: list[str], series: list[tuple[str, list]], **opts) -> dict:
    return {"id": chart_id, "categories": categories,
            "series": [{"name": n, "data": [number(v) for v in data]} for n, data in series], **opts}


def dashboard_cards(dash: Dashboard, results_first: bool = False) -> list[dict]:
    """Progress first (the work in progress), then the results; `results_first` (for leaders)
    puts the results on top."""
    cards = [_progress_card(dash), _leaf_progress_card(dash)]
    if dash.selfassess is not None:
        cards.append(_selfassess_card(dash))
    cards += [_tiers_card(dash), _histogram_card(dash), _weakest_card(dash), _groups_card(dash),
              _movement_card(dash)]
    if results_first:
        cards = [c for c in cards if not c["progress"]] + [c for c in cards if c["progress"]]
    return cards


def chart_data(cards: list[dict]) -> dict:
    """What static/dashboard.js reads."""
    return {"charts": [c["chart"] for c in cards]}


def _card(card_id: str, title: str, note: str, chart: dict, tbl: dict, progress: bool = False) -> dict:
    chart["title"] = title
    return {"id": card_id, "title": title, "note": note, "chart": chart, "table": tbl, "progress": progress}


def _progress_card(dash: Dashboard) -> dict:
    p = dash.progress
    return _card("progress", "评分进度（按考核对象）", "已全部评分：适用的末级指标都已有评分；部分评分：只评了一部分。",
                 bar("progress", [c.category for c in p],
                     [("已全部评分", [c.full for c in p]), ("部分评分", [c.partly for c in p]),
                      ("未评分", [c.none for c in p])], stack=True, colors=PROGRESS_COLORS, valueName="个"),
                 data_table(dc.progress_columns(), p), progress=True)


def _leaf_progress_card(dash: Dashboard) -> dict:
    lp = dash.leaf_progress
    return _card("leaf-progress", "评分进度（按指标）", "每项末级指标已评分和未评分的考核对象数。",
                 bar("leaf-progress", [f"{x.code} {x.name}" for x in lp],
                     [("已评分", [x.scored for x in lp]), ("未评分", [x.missing for x in lp])],
                     stack=True, horizontal=True, inverse=True, colors=[PROGRESS_COLORS[0], PROGRESS_COLORS[2]],
                     valueName="个"),
                 data_table(dc.leaf_progress_columns(), lp), progress=True)


def _selfassess_card(dash: Dashboard) -> dict:
    s = dash.selfassess
    return _card("selfassess", "自评填报状态", f"共{s.targets}个考核对象；未填报：尚未开始自评。",
                 bar("selfassess", list(s.counts), [("考核对象", list(s.counts.values()))], valueName="个"),
                 data_table(dc.selfassess_columns(), list(s.counts.items())), progress=True)


def _tiers_card(dash: Dashboard) -> dict:
    return _card("tiers", "各类别等次分布", "只在同一类别内评定等次；每个类别一组柱。",
                 bar("tiers", dash.ranking.categories,
                     [(t, [c.counts[t] for c in dash.tiers]) for t in dash.tier_names],
                     stack=True, colors=TIER_COLORS, valueName="个"),
                 data_table(dc.tier_columns(dash.tier_names), dash.tiers))


def _histogram_card(dash: Dashboard) -> dict:
    r = dash.ranking
    return _card("histogram", "总分分布", f"满分{plain(r.full_marks)}分；区间含下限、不含上限，按类别分色。",
                 bar("histogram", dash.bins, [(c, [h.counts[c] for h in dash.histogram]) for c in r.categories],
                     stack=True, valueName="个"),
                 data_table(dc.histogram_columns(r.categories), dash.histogram))


def _weakest_card(dash: Dashboard) -> dict:
    w = dash.weakest
    return _card("weakest", "失分最多的指标", "平均失分率 = 1 − 平均得分 ÷ 分值（只计已评分的对象），取前10项。",
                 bar("weakest", [f"{x.code} {x.name}" for x in w], [("平均失分率(%)", [x.loss_rate for x in w])],
                     horizontal=True, valueName="%", inverse=True, colors=["#b71c1c"]),
                 data_table(dc.weakest_columns(), w))


def _groups_card(dash: Dashboard) -> dict:
    g = dash.groups
    return _card("groups", "片组比较", "各党建片组考核对象的平均总分（含各类别）。",
                 bar("groups", [x.name for x in g], [("平均总分", [x.mean for x in g])], valueName="分"),
                 data_table(dc.group_columns(), g))


def _movement_card(dash: Dashboard) -> dict:
    m = dash.movement
    if m is None:
        note = "同一方案（相同方案编码）没有更早的考核轮次，暂无可比较的数据。"
        return _card("movement", "与上一轮比较", note, bar("movement", [], [("总分变化", [])], horizontal=True),
                     data_table(dc.movement_columns(), []))
    moved = [row for row in m.rows if row.delta is not None]
    summary = "、".join(f"{k}{v}个" for k, v in m.summary().items())
    note = f"与上一轮“{m.previous_name}”（{m.previous_code}，{m.previous_phase}）比较，按组织编码对应。等次：{summary}。"
    return _card("movement", "与上一轮比较", note,
                 bar("movement", [row.org_name for row in moved], [("总分变化", [row.delta for row in moved])],
                     horizontal=True, inverse=True, signColors=True, valueName="分"),
                 data_table(dc.movement_columns(), m.rows))
