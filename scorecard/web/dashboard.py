"""数据看板: the list of rounds with a dashboard, a round's dashboard (charts + the table behind
each chart) and the burden report (考核负担统计, C6). Assessors, leaders and admins within their
scope; units and clerks get 403. Chart data goes to the page as one JSON block that
static/dashboard.js reads (no inline script, CSP)."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from scorecard.exports import dashboard_columns as dc
from scorecard.models import Round
from scorecard.services import permissions
from scorecard.services.dashboard import burden as burden_svc
from scorecard.services.dashboard.round_dashboard import Dashboard, round_dashboard
from scorecard.services.errors import PermissionDenied
from scorecard.services.rounds.lifecycle import visible_rounds
from scorecard.web.common import actor, cell_text, get_db, get_or_404, require

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

# Vendored from npm (scorecard/static/vendor/VENDOR.md); served by the app, never from a CDN.
ECHARTS_JS = "vendor/echarts-6.1.0/echarts.common.min.js"
TIER_COLORS = ["#2e7d32", "#1565c0", "#f9a825", "#c62828", "#6d4c41", "#546e7a"]
PROGRESS_COLORS = ["#2e7d32", "#f9a825", "#c62828"]


@bp.route("/")
@login_required
def index():
    require(permissions.can_view_dashboards(current_user))
    return render_template("dashboard/index.html", rounds=visible_rounds(get_db(), current_user, permissions.can_view_dashboard))


@bp.route("/rounds/<int:round_id>")
@login_required
def round_view(round_id: int):
    db = get_db()
    rnd = get_or_404(db, Round, round_id)
    require(permissions.can_view_dashboard(current_user, rnd))
    try:
        dash = round_dashboard(db, actor(), rnd)
    except PermissionDenied:
        abort(403)
    cards = build_cards(dash)
    if current_user.role == "leader":  # results first; the work in progress last
        cards = [c for c in cards if not c["progress"]] + [c for c in cards if c["progress"]]
    return render_template("dashboard/round.html", rnd=rnd, dash=dash, cards=cards, echarts_js=ECHARTS_JS,
                           data={"charts": [c["chart"] for c in cards]})


def table(cols, rows) -> dict:
    return {"cols": cols, "rows": [[(c.kind, cell_text(c, r)) for c in cols] for r in rows]}


def number(value: Decimal | int | None):
    """A Decimal as a plain JSON number (exact to the two places it carries); None stays null."""
    if value is None or isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def bar(chart_id: str, categories: list[str], series: list[tuple[str, list]], **opts) -> dict:
    return {"id": chart_id, "categories": categories,
            "series": [{"name": n, "data": [number(v) for v in data]} for n, data in series], **opts}


def build_cards(dash: Dashboard) -> list[dict]:
    r = dash.report
    cards = [_progress_card(dash), _leaf_progress_card(dash)]
    if dash.selfassess is not None:
        s = dash.selfassess
        cards.append(_card("selfassess", "自评填报状态", f"共{s.targets}个考核对象；未填报：尚未开始自评。",
                           bar("selfassess", list(s.counts), [("考核对象", list(s.counts.values()))],
                               valueName="个"),
                           table(dc.selfassess_columns(), list(s.counts.items())), progress=True))
    cards.append(_card(
        "tiers", "各类别等次分布", "只在同一类别内评定等次；每个类别一组柱。",
        bar("tiers", r.categories, [(t, [c.counts[t] for c in dash.tiers]) for t in dash.tier_names],
            stack=True, colors=TIER_COLORS, valueName="个"),
        table(dc.tier_columns(dash.tier_names), dash.tiers)))
    cards.append(_card(
        "histogram", "总分分布", f"满分{_plain(r.full_marks)}分；区间含下限、不含上限，按类别分色。",
        bar("histogram", dash.bins, [(c, [h.counts[c] for h in dash.histogram]) for c in r.categories],
            stack=True, valueName="个"),
        table(dc.histogram_columns(r.categories), dash.histogram)))
    cards.append(_card(
        "weakest", "失分最多的指标", "平均失分率 = 1 − 平均得分 ÷ 分值（只计已评分的对象），取前10项。",
        bar("weakest", [f"{w.code} {w.name}" for w in dash.weakest], [("平均失分率(%)", [w.loss_rate for w in dash.weakest])],
            horizontal=True, valueName="%", inverse=True, colors=["#b71c1c"]),
        table(dc.weakest_columns(), dash.weakest)))
    cards.append(_card(
        "groups", "片组比较", "各党建片组考核对象的平均总分（含各类别）。",
        bar("groups", [g.name for g in dash.groups], [("平均总分", [g.mean for g in dash.groups])], valueName="分"),
        table(dc.group_columns(), dash.groups)))
    cards.append(_movement_card(dash))
    return cards


def _progress_card(dash: Dashboard) -> dict:
    p = dash.progress
    return _card("progress", "评分进度（按考核对象）", "已全部评分：适用的末级指标都已有评分；部分评分：只评了一部分。",
                 bar("progress", [c.category for c in p],
                     [("已全部评分", [c.full for c in p]), ("部分评分", [c.partly for c in p]),
                      ("未评分", [c.none for c in p])], stack=True, colors=PROGRESS_COLORS, valueName="个"),
                 table(dc.progress_columns(), p), progress=True)


def _leaf_progress_card(dash: Dashboard) -> dict:
    lp = dash.leaf_progress
    return _card("leaf-progress", "评分进度（按指标）", "每项末级指标已评分和未评分的考核对象数。",
                 bar("leaf-progress", [f"{x.code} {x.name}" for x in lp],
                     [("已评分", [x.scored for x in lp]), ("未评分", [x.missing for x in lp])],
                     stack=True, horizontal=True, inverse=True, colors=[PROGRESS_COLORS[0], PROGRESS_COLORS[2]],
                     valueName="个"),
                 table(dc.leaf_progress_columns(), lp), progress=True)


def _movement_card(dash: Dashboard) -> dict:
    m = dash.movement
    if m is None:
        note = "同一方案（相同方案编码）没有更早的考核轮次，暂无可比较的数据。"
        return _card("movement", "与上一轮比较", note, bar("movement", [], [("总分变化", [])], horizontal=True),
                     table(dc.movement_columns(), []))
    moved = [row for row in m.rows if row.delta is not None]
    summary = "、".join(f"{k}{v}个" for k, v in m.summary().items())
    note = f"与上一轮“{m.previous_name}”（{m.previous_code}，{m.previous_phase}）比较，按组织编码对应。等次：{summary}。"
    return _card("movement", "与上一轮比较", note,
                 bar("movement", [row.org_name for row in moved], [("总分变化", [row.delta for row in moved])],
                     horizontal=True, inverse=True, signColors=True, valueName="分"),
                 table(dc.movement_columns(), m.rows))


def _card(card_id: str, title: str, note: str, chart: dict, tbl: dict, progress: bool = False) -> dict:
    chart["title"] = title
    return {"id": card_id, "title": title, "note": note, "chart": chart, "table": tbl, "progress": progress}


def _plain(value: Decimal) -> str:
    from scorecard.domain.numbers import plain

    return plain(value)


# --- burden report (考核负担统计, C6) ---------------------------------------------------------

@bp.route("/burden")
@login_required
def burden():
    require(permissions.can_view_dashboards(current_user))
    report = burden_svc.burden_report(get_db(), actor())
    return render_template("dashboard/burden.html", report=report,
                           basis_label=burden_svc.BASIS_LABELS[report.evidence_basis],
                           deadline_fields=burden_svc.deadline_columns(),
                           scheme_table=table(dc.scheme_burden_columns(report.evidence_basis), report.schemes),
                           round_table=table(dc.round_burden_columns(report.evidence_basis, report.has_uploads), report.rounds),
                           unit_table=table(dc.unit_year_columns(report.evidence_basis, report.has_uploads), report.units))


@bp.route("/rounds/<int:round_id>/burden")
@login_required
def round_burden(round_id: int):
    db = get_db()
    rnd = get_or_404(db, Round, round_id)
    require(permissions.can_view_dashboard(current_user, rnd))
    try:
        rb = burden_svc.round_burden(db, actor(), rnd)
    except PermissionDenied:
        abort(403)
    return render_template("dashboard/round_burden.html", rnd=rnd, rb=rb,
                           basis_label=burden_svc.BASIS_LABELS[rb.evidence_basis],
                           unit_table=table(dc.round_unit_columns(rb.evidence_basis, rb.has_uploads, rb.has_cited), rb.units))
