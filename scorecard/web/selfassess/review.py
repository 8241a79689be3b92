"""Assessor side of self-assessment: confirm / return items, reject irrelevant evidence (C19),
reopen a unit after the deadline, and the per-round progress overview with overdue units and
phase deadlines. Registered on the "selfassess" blueprint."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from scorecard.models import TARGET_STATUS, EvidenceCitation, Round, RoundTarget, SelfItem
from scorecard.services import permissions
from scorecard.services.clock import parse_date
from scorecard.services.selfassess import fill as selfassess
from scorecard.services.selfassess import pages, review
from scorecard.web.common import actor, get_db, get_or_404, require, status_of, unit_of_work
from scorecard.web.selfassess import bp
from scorecard.web.selfassess.fill import page


class _ReviewForm:
    """A review action as unit_of_work's form: every refusal, a lost race (StaleData) included,
    is flashed on the re-rendered page (409 for the race) instead of an error page."""


def _back_to(item: SelfItem, done, message: str, typed: tuple[str, str] | None = None):
    """After a review action: back to the item on success, else the page with the refusal (and
    what the reviewer typed, so that nothing is lost)."""
    if not done:
        if typed and typed[1].strip():
            flash(f"您填写的{typed[0]}（未保存）：{typed[1].strip()}", "info")
        return page(item.target, status=status_of(done.error))
    flash(message, "success")
    return redirect(url_for("selfassess.target", target_id=item.target_id, _anchor=f"leaf-{item.indicator.code}"))


@bp.route("/self/items/<int:item_id>/confirm", methods=["POST"])
@login_required
def confirm(item_id: int):
    item = get_or_404(get_db(), SelfItem, item_id)
    comment = request.form.get("comment", "")
    with unit_of_work(_ReviewForm()) as done:
        review.confirm(get_db(), actor(), item, comment)
    return _back_to(item, done, f"已确认“{item.indicator.code} {item.indicator.name}”", ("确认意见", comment))


@bp.route("/self/items/<int:item_id>/return", methods=["POST"])
@login_required
def return_item(item_id: int):
    item = get_or_404(get_db(), SelfItem, item_id)
    reason = request.form.get("reason", "")
    with unit_of_work(_ReviewForm()) as done:
        review.return_item(get_db(), actor(), item, reason)
    return _back_to(item, done, f"已退回“{item.indicator.code} {item.indicator.name}”，等待单位修改后重新提交",
                    ("退回理由", reason))


@bp.route("/self/citations/<int:citation_id>/reject", methods=["POST"])
@login_required
def reject_evidence(citation_id: int):
    cit = get_or_404(get_db(), EvidenceCitation, citation_id)
    if cit.subject != selfassess.SUBJECT:  # another record's citation: its own page decides
        return redirect(url_for("evidence.show", evidence_id=cit.evidence_id))
    item = get_or_404(get_db(), SelfItem, cit.subject_id)
    reason = request.form.get("reason", "")
    with unit_of_work(_ReviewForm()) as done:
        review.reject_evidence(get_db(), actor(), item, cit, reason)
    return _back_to(item, done, f"已认定材料“{cit.evidence.title}”与本项不相关", ("不相关理由", reason))



@bp.route("/self/targets/<int:target_id>/reopen", methods=["POST"])
@login_required
def reopen(target_id: int):
    tgt = get_or_404(get_db(), RoundTarget, target_id)
    with unit_of_work() as done:
        review.reopen(get_db(), actor(), tgt, request.form.get("reason", ""), parse_date(request.form.get("until"), "开放至"))
    if not done:
        return page(tgt, status=status_of(done.error))
    flash(f"已为“{tgt.org.name}”重新开放自评填报", "success")
    return redirect(url_for("selfassess.target", target_id=tgt.id))


@bp.route("/rounds/<int:round_id>/self-progress")
@login_required
def progress(round_id: int):
    return _progress_page(get_or_404(get_db(), Round, round_id))


def _progress_page(rnd: Round, status: int = 200):
    data = pages.progress_page(get_db(), actor(), rnd)
    return render_template(
        "selfassess/progress.html", rnd=rnd, rows=data.rows, statuses=TARGET_STATUS, order=selfassess.STATUS_ORDER,
        overdue=data.overdue, heads=data.heads, today=data.today, manage=data.manage,
    ), status


@bp.route("/rounds/<int:round_id>/deadlines", methods=["POST"])
@login_required
def deadlines(round_id: int):
    rnd = get_or_404(get_db(), Round, round_id)
    require(permissions.can_change_round(actor(), rnd))
    with unit_of_work() as done:
        review.set_deadlines(get_db(), actor(), rnd, parse_date(request.form.get("self_deadline"), "自评截止日期"),
                             parse_date(request.form.get("review_deadline"), "审核截止日期"))
    if not done:
        return _progress_page(rnd, status_of(done.error))
    flash("已保存截止日期", "success")
    return redirect(url_for("selfassess.progress", round_id=rnd.id))
