"""Assessors' side of 公示: a round's publicity window, appeals to answer (复核), nominations
to approve or reject, and links to verification and vote entry per target.
Registered on the publicity blueprint (see the end of publicity.py)."""
from __future__ import annotations

import datetime as dt

from flask import flash, render_template, request, url_for
from flask_login import current_user, login_required

from scorecard.models import Appeal, Nomination, Round
from scorecard.services import permissions
from scorecard.services.errors import ServiceError
from scorecard.services.publicity import appeals as appeals_svc
from scorecard.services.publicity import nominations as nom_svc
from scorecard.services.publicity.citations import cited
from scorecard.web.common import actor, get_db, get_or_404, require
from scorecard.web.publicity import bp
from scorecard.web.publicity.unit import run_service, today


def _round(round_id: int) -> Round:
    rnd = get_or_404(get_db(), Round, round_id)
    require(permissions.can_manage_publicity(current_user, rnd))
    return rnd


def render_round(rnd: Round, status: int = 200, form: dict | None = None):
    db = get_db()
    user = current_user
    targets = sorted(rnd.targets, key=lambda t: (t.category_id, t.org.code))
    appeals = appeals_svc.for_round(db, rnd)
    noms = nom_svc.for_round(db, rnd.id)
    return render_template(
        "publicity/round.html", rnd=rnd, targets=targets, today=today(),
        window=appeals_svc.window_state(rnd, today()),
        appeals=appeals, open_appeals=appeals_svc.open_count(db, rnd), nominations=noms,
        answerable={a.id: permissions.can_answer_appeal(user, a.target) for a in appeals},
        appeal_evidence=cited(db, "appeal", [a.id for a in appeals]),
        nom_evidence=cited(db, "nomination", [n.id for n in noms]),
        decidable={t.id: permissions.can_decide_nomination(user, t) for t in rnd.targets},
        verifiable={t.id: permissions.can_verify(user, t) for t in rnd.targets},
        votable={t.id: permissions.can_enter_votes(user, t) for t in rnd.targets},
        form=form or {},
    ), status


@bp.route("/rounds/<int:round_id>")
@login_required
def round_page(round_id: int):
    return render_round(_round(round_id))


def _run(rnd: Round, action, done: str, form: dict, anchor: str = ""):
    return run_service(action, done, lambda status: render_round(rnd, status, form),
                       url_for("publicity.round_page", round_id=rnd.id) + anchor)


def _date(text: str, label: str, field: str) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ServiceError(f"{label}“{text}”不是有效的日期（格式：2025-12-01）", field) from None


@bp.route("/rounds/<int:round_id>/window", methods=["POST"])
@login_required
def window(round_id: int):
    rnd = _round(round_id)
    form = {k: request.form.get(k, "") for k in ("start", "end", "reason")}

    def action():
        start = _date(form["start"], "公示开始日期", "start")
        end = _date(form["end"], "公示结束日期", "end")
        appeals_svc.set_window(get_db(), actor(), rnd, start, end, form["reason"])

    return _run(rnd, action, "已保存公示期", {"window": form})


@bp.route("/appeals/<int:appeal_id>/answer", methods=["POST"])
@login_required
def answer(appeal_id: int):
    appeal = get_or_404(get_db(), Appeal, appeal_id)
    rnd = appeal.target.round
    require(permissions.can_view_ranking(current_user, rnd) and current_user.role == "assessor")
    form = {k: request.form.get(k, "") for k in ("decision", "after", "answer")}
    done = "已复核：" + ("改分" if form["decision"] == "changed" else "维持原分")
    return _run(rnd, lambda: appeals_svc.answer(get_db(), actor(), appeal, form["decision"], form["after"],
                                                 form["answer"]),
                done, {f"appeal{appeal.id}": form}, f"#appeal-{appeal.id}")


@bp.route("/nominations/<int:nomination_id>/decide", methods=["POST"])
@login_required
def decide(nomination_id: int):
    nom = get_or_404(get_db(), Nomination, nomination_id)
    rnd = nom.target.round
    require(permissions.can_view_ranking(current_user, rnd) and current_user.role == "assessor")
    form = {k: request.form.get(k, "") for k in ("decision", "points", "reason")}
    approve = form["decision"] == "approve"
    if form["decision"] not in ("approve", "reject"):
        flash("请选择审核结果：通过或不通过", "danger")
        return render_round(rnd, 400, {f"nom{nom.id}": form})
    done = "已通过推报，加分已计入" if approve else "已退回推报（不通过）"
    return _run(rnd, lambda: nom_svc.decide(get_db(), actor(), nom, approve, form["points"], form["reason"]),
                done, {f"nom{nom.id}": form}, f"#nom-{nom.id}")
