"""公示 for units: their own targets, the published result with its breakdown, appeals (申诉)
and 绩优推报 nominations. Assessors' pages (round overview, 复核, nomination decisions) are in
assess.py (same blueprint); verification and vote entry are on the scores blueprint.
"""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from scorecard.domain.numbers import fmt, parse_id
from scorecard.models import Indicator, Nomination, RoundTarget, SchemeItem
from scorecard.services import permissions
from scorecard.services.errors import ServiceError
from scorecard.services.publicity import appeals as appeals_svc
from scorecard.services.publicity import nominations as nom_svc
from scorecard.services.publicity import pages
from scorecard.services.publicity.citations import parse_ids
from scorecard.web.common import actor, get_db, get_or_404, require, unit_of_work
from scorecard.web.publicity import bp


def today() -> dt.date:
    """The day publicity windows are judged by (the server's date, as before)."""
    return dt.date.today()


@bp.route("/")
@login_required
def index():
    """我的考核: the unit's targets in every round."""
    return render_template("publicity/index.html", targets=pages.my_targets(get_db(), actor()), today=today(),
                           window_state=appeals_svc.window_state)


def render_target(target: RoundTarget, status: int = 200, form: dict | None = None):
    page = pages.target_page(get_db(), actor(), target, today())
    return render_template(
        "publicity/target.html", target=target, rnd=target.round, row=page.row, published=page.published,
        leaves=page.leaves, adjustments=page.adjustments, nominations=page.nominations,
        bonus_items=page.bonus_items, library=page.library, unit=page.unit,
        nom_evidence=page.nom_evidence, appeal_evidence=page.appeal_evidence,
        window=page.window, today=today(), can_appeal=page.can_appeal,
        can_nominate=page.can_nominate, form=form or {}, fmt=fmt,
    ), status


@bp.route("/targets/<int:target_id>")
@login_required
def target(target_id: int):
    return render_target(get_or_404(get_db(), RoundTarget, target_id))


def _after(target: RoundTarget, done, message: str, form: dict):
    """Back to the target page: redirect on success, else the page with the typed form again."""
    if not done:
        return render_target(target, 400, form)
    flash(message, "success")
    return redirect(url_for("publicity.target", target_id=target.id))


@bp.route("/targets/<int:target_id>/appeals", methods=["POST"])
@login_required
def appeal(target_id: int):
    target = get_or_404(get_db(), RoundTarget, target_id)
    require(permissions.is_own_unit(actor(), target))
    form = {"indicator": request.form.get("indicator", ""), "reason": request.form.get("reason", "")}
    ind = get_db().get(Indicator, parse_id(form["indicator"])) if parse_id(form["indicator"]) else None
    with unit_of_work() as done:
        if ind is None:
            raise ServiceError("请选择要申诉的指标", "indicator")
        appeals_svc.submit(get_db(), actor(), target, ind, form["reason"], today(),
                           evidence_ids=parse_ids(request.form.getlist("evidence")))
    return _after(target, done, "申诉已提交，请等待考核员复核", {"appeal": form})


@bp.route("/targets/<int:target_id>/nominations", methods=["POST"])
@login_required
def nominate(target_id: int):
    target = get_or_404(get_db(), RoundTarget, target_id)
    require(permissions.is_own_unit(actor(), target))
    form = {k: request.form.get(k, "") for k in ("item", "title", "claimed", "description")}
    item = get_db().get(SchemeItem, parse_id(form["item"])) if parse_id(form["item"]) else None
    with unit_of_work() as done:
        nom_svc.nominate(get_db(), actor(), target, item, form["title"], form["claimed"], form["description"],
                         evidence_ids=parse_ids(request.form.getlist("evidence")))
    return _after(target, done, "推报已提交，请等待考核员审核", {"nominate": form})


@bp.route("/nominations/<int:nomination_id>/withdraw", methods=["POST"])
@login_required
def withdraw(nomination_id: int):
    nom = get_or_404(get_db(), Nomination, nomination_id)
    target = nom.target
    require(permissions.is_own_unit(actor(), target))
    with unit_of_work() as done:
        nom_svc.withdraw(get_db(), actor(), nom)
    return _after(target, done, "已撤回推报", {})
