"""Assessor side of self-assessment: confirm / return items, reject irrelevant evidence (C19),
reopen a unit after the deadline, and the per-round progress overview with overdue units and
phase deadlines. Registered on the "selfassess" blueprint."""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from scorecard.models import TARGET_STATUS, EvidenceCitation, Round, SelfItem
from scorecard.services import permissions
from scorecard.services.errors import ServiceError
from scorecard.services.selfassess import fill as selfassess
from scorecard.services.selfassess import review
from scorecard.web.common import actor, get_db, get_or_404, require, status_of
from scorecard.web.selfassess import bp
from scorecard.web.selfassess.fill import load_target, page


def _item(item_id: int) -> SelfItem:
    item = get_or_404(get_db(), SelfItem, item_id)
    require(permissions.can_view_self(actor(), item.target))
    require(permissions.can_review(actor(), item.target))
    return item


def _done(db, item: SelfItem, message: str):
    db.commit()
    flash(message, "success")
    return redirect(url_for("selfassess.target", target_id=item.target_id, _anchor=f"leaf-{item.indicator.code}"))


def _failed(db, target, exc: ServiceError):
    db.rollback()
    return page(db, target, status=status_of(exc), error=exc.message)


@bp.route("/self/items/<int:item_id>/confirm", methods=["POST"])
@login_required
def confirm(item_id: int):
    db, item = get_db(), _item(item_id)
    try:
        review.confirm(db, actor(), item, request.form.get("comment", ""))
    except ServiceError as exc:
        return _failed(db, item.target, exc)
    return _done(db, item, f"已确认“{item.indicator.code} {item.indicator.name}”")


@bp.route("/self/items/<int:item_id>/return", methods=["POST"])
@login_required
def return_item(item_id: int):
    db, item = get_db(), _item(item_id)
    try:
        review.return_item(db, actor(), item, request.form.get("reason", ""))
    except ServiceError as exc:
        return _failed(db, item.target, exc)
    return _done(db, item, f"已退回“{item.indicator.code} {item.indicator.name}”，等待单位修改后重新提交")


@bp.route("/self/citations/<int:citation_id>/reject", methods=["POST"])
@login_required
def reject_evidence(citation_id: int):
    db = get_db()
    cit = get_or_404(db, EvidenceCitation, citation_id)
    if cit.subject != selfassess.SUBJECT:
        return redirect(url_for("evidence.show", evidence_id=cit.evidence_id))
    item = _item(cit.subject_id)
    try:
        review.reject_evidence(db, actor(), item, cit, request.form.get("reason", ""))
    except ServiceError as exc:
        return _failed(db, item.target, exc)
    return _done(db, item, f"已认定材料“{cit.evidence.title}”与本项不相关")


def _date(text: str | None, label: str) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ServiceError(f"{label}“{text}”不是有效日期（格式：2025-12-31）") from None


@bp.route("/self/targets/<int:target_id>/reopen", methods=["POST"])
@login_required
def reopen(target_id: int):
    db = get_db()
    tgt = load_target(target_id)
    require(permissions.can_review(actor(), tgt))
    try:
        review.reopen(db, actor(), tgt, request.form.get("reason", ""), _date(request.form.get("until"), "开放至"))
    except ServiceError as exc:
        return _failed(db, tgt, exc)
    db.commit()
    flash(f"已为“{tgt.org.name}”重新开放自评填报", "success")
    return redirect(url_for("selfassess.target", target_id=tgt.id))


@bp.route("/rounds/<int:round_id>/self-progress")
@login_required
def progress(round_id: int):
    return _progress_page(get_db(), _round(round_id))


def _round(round_id: int) -> Round:
    rnd = get_or_404(get_db(), Round, round_id)
    require(permissions.can_view_progress(actor(), rnd))
    return rnd


def _progress_page(db, rnd: Round, error: str | None = None, status: int = 200):
    today = selfassess.local_today()
    heads = {t.id: selfassess.header(db, t) for t in rnd.targets}
    return render_template(
        "selfassess/progress.html", rnd=rnd, rows=selfassess.progress(db, rnd), statuses=TARGET_STATUS,
        order=selfassess.STATUS_ORDER, overdue=selfassess.overdue(db, rnd, today), heads=heads, today=today,
        error=error, manage=permissions.can_change_round(actor(), rnd) and not rnd.is_final,
    ), status


@bp.route("/rounds/<int:round_id>/deadlines", methods=["POST"])
@login_required
def deadlines(round_id: int):
    db = get_db()
    rnd = _round(round_id)
    require(permissions.can_change_round(actor(), rnd))
    try:
        review.set_deadlines(db, actor(), rnd, _date(request.form.get("self_deadline"), "自评截止日期"),
                             _date(request.form.get("review_deadline"), "审核截止日期"))
    except ServiceError as exc:
        db.rollback()
        return _progress_page(db, rnd, exc.message, status_of(exc))
    db.commit()
    flash("已保存截止日期", "success")
    return redirect(url_for("selfassess.progress", round_id=rnd.id))
