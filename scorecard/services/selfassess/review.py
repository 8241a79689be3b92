"""Review of self-assessments (审核): per leaf the assessor confirms or returns with a reason,
marks a cited file not relevant (C19), and may reopen a unit's submission after the deadline.
Every action adds to the item's history and writes an audit row.

Deadline: Round.review_deadline (审核截止) is the last local day on which items may be confirmed,
returned or have evidence rejected; afterwards the round's assessors must first move the deadline
(set_deadlines), which is audited like every other change."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from scorecard.models import EvidenceCitation, RoundTarget, SelfItem, User, utcnow
from scorecard.services import audit, permissions
from scorecard.services import evidence as evidence_svc
from scorecard.services.errors import PermissionDenied, ServiceError, StaleData
from scorecard.services.limits import COMMENT, REASON, check_length
from scorecard.services.selfassess import fill as selfassess


def _check(actor: User, target: RoundTarget) -> None:
    permissions.ensure(permissions.why_not_review(actor, target))


def review_closed_message(rnd) -> str:
    return (f"审核截止日期为{rnd.review_deadline.isoformat()}，已过期，不能再审核；"
            "如需延长请先修改截止日期")


def _ensure_review_open(rnd, today: dt.date | None) -> None:
    """The review deadline is inclusive, in the deployment's local date."""
    if rnd.review_deadline is not None and (today or selfassess.local_today()) > rnd.review_deadline:
        raise ServiceError(review_closed_message(rnd))


def _label(item: SelfItem) -> str:
    return f"{item.indicator.code} {item.indicator.name}"


def _stale_message(item: SelfItem) -> str:
    return (f"“{_label(item)}”刚刚已在别处被审核或修改（可能是另一个窗口或另一位考核员），"
            "为避免覆盖，本次操作未执行。请刷新页面查看最新状态后再操作。")


def _flush_or_stale(session: Session, message: str) -> None:
    """Flush; when another session changed the item since we read it (the versioned UPDATE
    matched no row), refuse with StaleData instead of an error page."""
    try:
        session.flush()
    except (StaleDataError, IntegrityError):
        raise StaleData(message) from None


def confirm(session: Session, actor: User, item: SelfItem, comment: str = "",
            today: dt.date | None = None) -> SelfItem:
    _check(actor, item.target)
    _ensure_review_open(item.target.round, today)
    comment = check_length(comment, f"确认“{_label(item)}”的意见", COMMENT, "comment")
    if item.status != "submitted":
        raise ServiceError(f"“{_label(item)}”当前为“{item.status_label}”，只有已提交的项目可以确认")
    stale = _stale_message(item)  # built now: after a failed flush nothing can be loaded
    old = {"status": item.status}
    item.status, item.reviewed_by, item.reviewed_at = "confirmed", actor, utcnow()
    item.return_reason = None
    _flush_or_stale(session, stale)
    selfassess.add_version(session, actor, item, "confirm", comment or None)
    selfassess.refresh_status(session, selfassess.header(session, item.target))
    _flush_or_stale(session, stale)
    audit.record(session, actor, "confirm", "self_item", item.id, old=old, new={"status": item.status},
                 reason=comment or None)
    return item


def return_item(session: Session, actor: User, item: SelfItem, reason: str,
                today: dt.date | None = None) -> SelfItem:
    _check(actor, item.target)
    _ensure_review_open(item.target.round, today)
    reason = check_length(reason, "退回理由", REASON, "reason")
    if not reason:
        raise ServiceError(f"退回“{_label(item)}”须填写退回理由", "reason")
    if item.status != "submitted":
        raise ServiceError(f"“{_label(item)}”当前为“{item.status_label}”，只有已提交的项目可以退回")
    stale = _stale_message(item)
    old = {"status": item.status}
    item.status, item.reviewed_by, item.reviewed_at, item.return_reason = "returned", actor, utcnow(), reason
    _flush_or_stale(session, stale)
    selfassess.add_version(session, actor, item, "return", reason)
    selfassess.refresh_status(session, selfassess.header(session, item.target))
    _flush_or_stale(session, stale)
    audit.record(session, actor, "return", "self_item", item.id, old=old, new={"status": item.status},
                 reason=reason)
    return item


def reject_evidence(session: Session, actor: User, item: SelfItem, citation: EvidenceCitation,
                    reason: str, today: dt.date | None = None) -> EvidenceCitation:
    """C19: mark one file cited by the item as not relevant to it."""
    _check(actor, item.target)
    _ensure_review_open(item.target.round, today)
    if citation.subject != selfassess.SUBJECT or citation.subject_id != item.id:
        raise ServiceError("该材料未被此项目引用", "citation")
    if citation.rejected:
        raise ServiceError(f"材料“{citation.evidence.title}”已被认定为不相关")
    evidence_svc.mark_not_relevant(session, actor, citation, reason)
    selfassess.add_version(session, actor, item, "reject_evidence",
                           f"材料“{citation.evidence.title}”与本项不相关：{citation.rejected_reason}")
    session.flush()
    return citation


def reopen(session: Session, actor: User, target: RoundTarget, reason: str,
           until: dt.date | None = None) -> None:
    """Let a unit save and submit again after the self-assessment deadline."""
    _check(actor, target)
    reason = check_length(reason, "重新开放理由", REASON, "reason")
    if not reason:
        raise ServiceError("重新开放填报须填写理由", "reason")
    if until is not None and until < selfassess.local_today():
        raise ServiceError("重新开放的截止日期不能早于今天", "until")
    sa = selfassess.ensure_header(session, target)
    old = {"reopened": sa.reopened, "until": sa.reopen_until.date().isoformat() if sa.reopen_until else None}
    sa.reopened, sa.reopen_reason, sa.reopened_by, sa.reopened_at = True, reason, actor, utcnow()
    sa.reopen_until = dt.datetime.combine(until, dt.time()) if until else None
    selfassess.refresh_status(session, sa)
    session.flush()
    audit.record(session, actor, "reopen", "self_assessment", sa.id, old=old,
                 new={"reopened": True, "until": until.isoformat() if until else None,
                      "target": target.org.code}, reason=reason)


def set_deadlines(session: Session, actor: User, rnd, self_deadline: dt.date | None,
                  review_deadline: dt.date | None) -> None:
    """Deadlines per phase (自评截止, 审核截止), set by the round's assessors."""
    if not permissions.can_change_round(actor, rnd):
        raise PermissionDenied()
    if rnd.is_final:
        raise ServiceError("本轮考核已定档，不能修改截止日期")
    if self_deadline and review_deadline and review_deadline < self_deadline:
        raise ServiceError("审核截止日期不能早于自评截止日期", "review_deadline")
    old = {"self": rnd.self_deadline.isoformat() if rnd.self_deadline else None,
           "review": rnd.review_deadline.isoformat() if rnd.review_deadline else None}
    rnd.self_deadline, rnd.review_deadline = self_deadline, review_deadline
    session.flush()
    audit.record(session, actor, "deadlines", "round", rnd.id, old=old,
                 new={"self": self_deadline.isoformat() if self_deadline else None,
                      "review": review_deadline.isoformat() if review_deadline else None})
