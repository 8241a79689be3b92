"""公示 (publicity) and 申诉/复核 (appeals).

Publishing a round opens a window (Round.publicity_start..publicity_end, inclusive, by
default 7 days from the day of publishing). Within it a unit may appeal one leaf of its own
result once, with a reason. An assessor free of conflict of interest answers: 维持 (upheld)
or 改分 (changed, before → after); a changed score becomes the leaf's final score
(services/leaf_sources), so the ranking, the target pages and the exports follow. A round
cannot be finalized (定档) while any appeal is unanswered.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scorecard.domain.adjudication import read_points
from scorecard.domain.numbers import fmt
from scorecard.domain.rule_base import RuleError
from scorecard.models import Appeal, Indicator, Round, RoundTarget, User, utcnow
from scorecard.services import audit, permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.limits import REASON, check_length
from scorecard.services.publicity.citations import cite_all
from scorecard.services.rounds.ranking import round_structure
from scorecard.services.scoring.leaf_sources import current_final

WINDOW_DAYS = 7
MAX_TEXT = REASON


def open_window(rnd: Round, today: dt.date) -> None:
    """Called when a round is published: keep a window set in advance unless it is over."""
    if rnd.publicity_start is None or rnd.publicity_end is None or rnd.publicity_end < today:
        rnd.publicity_start = today
        rnd.publicity_end = today + dt.timedelta(days=WINDOW_DAYS - 1)


def set_window(session: Session, actor: User, rnd: Round, start: dt.date | None, end: dt.date | None,
               reason: str = "") -> Round:
    if not permissions.can_manage_publicity(actor, rnd):
        raise PermissionDenied()
    if rnd.is_final:
        raise ServiceError(f"本轮考核处于“{rnd.phase_label}”阶段，不能修改公示期", "start")
    if start is None:
        raise ServiceError("请填写公示开始日期", "start")
    if end is None:
        raise ServiceError("请填写公示结束日期", "end")
    if end < start:
        raise ServiceError(f"公示结束日期{end}不能早于开始日期{start}", "end")
    reason = check_length(reason, "调整原因", REASON, "reason")
    old = {"start": str(rnd.publicity_start), "end": str(rnd.publicity_end)}
    rnd.publicity_start, rnd.publicity_end = start, end
    session.flush()
    audit.record(session, actor, "set_publicity_window", "round", rnd.id, old=old,
                 new={"start": str(start), "end": str(end)}, reason=(reason or "").strip() or None)
    return rnd


def window_state(rnd: Round, today: dt.date) -> str:
    """'none' | 'before' | 'open' | 'closed' (for pages)."""
    if rnd.phase != "publicity" or rnd.publicity_start is None or rnd.publicity_end is None:
        return "none"
    if today < rnd.publicity_start:
        return "before"
    return "open" if today <= rnd.publicity_end else "closed"


def open_count(session: Session, rnd: Round) -> int:
    return session.scalar(
        select(func.count(Appeal.id)).join(RoundTarget, Appeal.target_id == RoundTarget.id)
        .where(RoundTarget.round_id == rnd.id, Appeal.status == "open")
    ) or 0


def refuse_if_open(session: Session, rnd: Round) -> None:
    n = open_count(session, rnd)
    if n:
        raise ServiceError(f"还有{n}条申诉尚未复核，不能定档；请先在“公示与申诉”页答复全部申诉")


def _text(value: str | None, label: str, field: str) -> str:
    text = check_length(value, label, REASON, field)
    if not text:
        raise ServiceError(f"请填写{label}", field)
    return text


def submit(session: Session, actor: User, target: RoundTarget, indicator: Indicator, reason: str,
           today: dt.date, evidence_ids: list[int] = ()) -> Appeal:
    """A unit appeals one leaf of its own published result (optionally citing evidence)."""
    if not permissions.can_appeal(actor, target, today):
        if permissions.is_own_unit(actor, target):
            state = window_state(target.round, today)
            if state == "before":
                raise PermissionDenied(f"公示期自{target.round.publicity_start}开始，届时才能申诉")
            if state == "closed":
                raise PermissionDenied(f"公示期已于{target.round.publicity_end}结束，不能再申诉")
            raise PermissionDenied("本轮考核不在公示期，不能申诉")
        raise PermissionDenied()
    st = round_structure(target.round)
    if indicator.scheme_id != target.round.scheme_id or not st.applies(indicator.code, target.category.name):
        raise ServiceError("请选择本单位考核结果中的一个末级指标", "indicator")
    if session.scalar(select(Appeal).where(Appeal.target_id == target.id, Appeal.indicator_id == indicator.id)):
        raise ServiceError(f"指标“{indicator.code} {indicator.name}”已经申诉过，每个指标只能申诉一次", "indicator")
    text = _text(reason, "申诉理由", "reason")
    appeal = Appeal(target_id=target.id, indicator_id=indicator.id, reason=text, created_by_id=actor.id,
                    before_points=current_final(session, target, indicator.code, st))
    session.add(appeal)
    session.flush()
    if evidence_ids:
        cite_all(session, actor, target, "appeal", appeal.id, evidence_ids)
    audit.record(session, actor, "create", "appeal", appeal.id,
                 new={"target": target.org.code, "indicator": indicator.code, "points": appeal.before_points},
                 reason=text)
    return appeal


def answer(session: Session, actor: User, appeal: Appeal, decision: str, after, text: str) -> Appeal:
    """复核: decision 'upheld' (维持) or 'changed' (改分 to `after`)."""
    target = appeal.target
    if not permissions.can_answer_appeal(actor, target):
        if permissions.is_home_unit(actor, target.org):
            raise PermissionDenied("您所在单位需回避，不能复核其申诉")
        raise PermissionDenied()
    if not appeal.is_open:
        raise ServiceError(f"该申诉已复核（{appeal.status_label}），不能重复答复", "decision")
    if decision not in ("upheld", "changed"):
        raise ServiceError("请选择复核结果：维持原分或改分", "decision")
    reply = _text(text, "复核意见", "answer")
    st = round_structure(target.round)
    ind = appeal.indicator
    before = current_final(session, target, ind.code, st)
    new_points = None
    if decision == "changed":
        try:
            new_points = read_points(after, ind.max_points, "复核后得分")
        except RuleError as exc:
            raise ServiceError(f"{ind.code} {ind.name}：{exc.message}", "after") from None
        if before is not None and new_points == before:
            raise ServiceError(f"复核后得分与原得分{fmt(before)}相同；不改分请选择“维持原分”", "after")
    old = {"status": appeal.status, "points": before}
    appeal.status, appeal.answer = decision, reply
    appeal.before_points, appeal.after_points = before, new_points
    appeal.answered_by_id, appeal.answered_at = actor.id, utcnow()
    session.flush()
    audit.record(session, actor, "answer", "appeal", appeal.id, old=old,
                 new={"status": decision, "points": new_points if decision == "changed" else before,
                      "target": target.org.code, "indicator": ind.code}, reason=reply)
    return appeal


def for_round(session: Session, rnd: Round) -> list[Appeal]:
    return list(session.scalars(
        select(Appeal).join(RoundTarget, Appeal.target_id == RoundTarget.id)
        .where(RoundTarget.round_id == rnd.id).order_by(Appeal.status != "open", Appeal.id)
    ))


def for_target(session: Session, target: RoundTarget) -> list[Appeal]:
    return list(session.scalars(select(Appeal).where(Appeal.target_id == target.id).order_by(Appeal.id)))
