"""数据看板: the list of rounds with a dashboard, a round's dashboard (charts + the table behind
each chart) and the burden report (考核负担统计, C6). Assessors, leaders and admins within their
scope; units and clerks get 403. Chart data goes to the page as one JSON block that
static/dashboard.js reads (no inline script, CSP)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from scorecard.exports import dashboard_charts as charts
from scorecard.exports import dashboard_columns as dc
from scorecard.models import Round
from scorecard.services import permissions
from scorecard.services.dashboard import burden as burden_svc
from scorecard.services.dashboard.round_dashboard import round_dashboard
from scorecard.services.rounds.lifecycle import visible_rounds
from scorecard.web.common import actor, get_db, get_or_404, require

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

# Vendored from npm (scorecard/static/vendor/VENDOR.md); served by the app, never from a CDN.
ECHARTS_JS = "vendor/echarts-6.1.0/echarts.common.min.js"


@bp.route("/")
@login_required
def index():
    require(permissions.can_view_dashboards(current_user))
    return render_template("dashboard/index.html",
                           rounds=visible_rounds(get_db(), actor(), permissions.can_view_dashboard))


@bp.route("/rounds/<int:round_id>")
@login_required
def round_view(round_id: int):
    db = get_db()
    rnd = get_or_404(db, Round, round_id)
    dash = round_dashboard(db, actor(), rnd)
    cards = charts.dashboard_cards(dash, results_first=permissions.is_leader(current_user))
    return render_template("dashboard/round.html", rnd=rnd, dash=dash, cards=cards, echarts_js=ECHARTS_JS,
                           data=charts.chart_data(cards))


@bp.route("/burden")
@login_required
def burden():
    require(permissions.can_view_dashboards(current_user))
    report = burden_svc.burden_report(get_db(), actor())
    return render_template("dashboard/burden.html", report=report, deadline_fields=burden_svc.deadline_columns(),
                           scheme_table=charts.data_table(dc.scheme_burden_columns(), report.schemes),
                           round_table=charts.data_table(dc.round_burden_columns(), report.rounds),
                           unit_table=charts.data_table(dc.unit_year_columns(), report.units))


@bp.route("/rounds/<int:round_id>/burden")
@login_required
def round_burden(round_id: int):
    db = get_db()
    rnd = get_or_404(db, Round, round_id)
    rb = burden_svc.round_burden(db, actor(), rnd)
    return render_template("dashboard/round_burden.html", rnd=rnd, rb=rb,
                           unit_table=charts.data_table(dc.round_unit_columns(), rb.units))
