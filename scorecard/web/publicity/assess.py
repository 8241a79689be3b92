"""Assessors' side of 公示: a round's publicity window, appeals to answer (复核), nominations
to approve or reject, and links to verification and vote entry per target.
Registered on the publicity blueprint."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from scorecard.models import Appeal, Nomination, Round
from scorecard.services import permissions
from scorecard.services.clock import parse_date
from scorecard.services.errors import ServiceError
from scorecard.services.publicity import appeals as appeals_svc
from scorecard.services.publicity import nominations as nom_svc
from scorecard.services.publicity import pages
from scorecard.web.common import actor, get_db, get_or_404, require, unit_of_work
from scorecard.web.publicity import bp
from scorecard.web.publicity.unit import today


def render_round(rnd: Round, status: int = 200, form: dict | None = None):
    page = pages.round_page(get_db(), actor(), rnd, today())
    return render_template(
        "publicity/round.html", rnd=rnd, targets=page.targets, today=today(), window=page.window,
        appeals=page.appeals, open_appeals=page.open_appeals, nominations=page.nominations,
        answerable=page.answerable, appeal_evidence=page.appeal_evidence, nom_evidence=page.nom_evidence,
        decidable=page.decidable, verifiable=page.verifiable, votable=page.votable, form=form or {},
    ), status


@bp.route("/rounds/<int:round_id>")
@login_required
def round_page(round_id: int):
    return render_round(get_or_404(get_db(), Round, round_id))


def _after(rnd: Round, done, message: str, form: dict, anchor: str = ""):
    """Back to the round page: redirect on success, else the page with the typed form again."""
    if not done:
        return render_round(rnd, 400, form)
    flash(message, "success")
    return redirect(url_for("publicity.round_page", round_id=rnd.id) + anchor)



def _may_judge(rnd: Round) -> bool:
    """复核 and nomination decisions are the round's assessors' (each service checks the target)."""
    return permissions.is_assessor(actor()) and permissions.can_view_ranking(actor(), rnd)


@bp.route("/rounds/<int:round_id>/window", methods=["POST"])
@login_required
def window(round_id: int):
    rnd = get_or_404(get_db(), Round, round_id)
    require(permissions.can_manage_publicity(actor(), rnd))
    form = {k: request.form.get(k, "") for k in ("start", "end", "reason")}
    with unit_of_work() as done:
        appeals_svc.set_window(get_db(), actor(), rnd, parse_date(form["start"], "公示开始日期", "start"),
                               parse_date(form["end"], "公示结束日期", "end"), form["reason"])
    return _after(rnd, done, "已保存公示期", {"window": form})


@bp.route("/appeals/<int:appeal_id>/answer", methods=["POST"])
@login_required
def answer(appeal_id: int):
    appeal = get_or_404(get_db(), Appeal, appeal_id)
    rnd = appeal.target.round
    require(_may_judge(rnd))
    form = {k: request.form.get(k, "") for k in ("decision", "after", "answer")}
    with unit_of_work() as done:
        appeals_svc.answer(get_db(), actor(), appeal, form["decision"], form["after"], form["answer"])
    message = "已复核：" + ("改分" if form["decision"] == "changed" else "维持原分")
    return _after(rnd, done, message, {f"appeal{appeal.id}": form}, f"#appeal-{appeal.id}")


@bp.route("/nominations/<int:nomination_id>/decide", methods=["POST"])
@login_required
def decide(nomination_id: int):
    nom = get_or_404(get_db(), Nomination, nomination_id)
    rnd = nom.target.round
    require(_may_judge(rnd))
    form = {k: request.form.get(k, "") for k in ("decision", "points", "reason")}
    approve = form["decision"] == "approve"
    with unit_of_work() as done:
        if form["decision"] not in ("approve", "reject"):
            raise ServiceError("请选择审核结果：通过或不通过", "decision")
        nom_svc.decide(get_db(), actor(), nom, approve, form["points"], form["reason"])
    message = "已通过推报，加分已计入" if approve else "已退回推报（不通过）"
    return _after(rnd, done, message, {f"nom{nom.id}": form}, f"#nom-{nom.id}")
