"""绩优推报 (C18): a unit nominates an honour or result against a 加分项 with claimed points
(and optionally cited evidence); an assessor approves — possibly fewer points, never more
than the item cap and the scheme's bonus cap allow — or rejects with a reason. An approval
creates the 加分 Adjustment the ranking and the exports already show.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scorecard.domain.adjudication import bonus_room, check_approval
from scorecard.domain.numbers import fmt, places, q2, to_decimal
from scorecard.domain.rule_base import RuleError
from scorecard.models import Adjustment, Nomination, RoundTarget, SchemeItem, User, utcnow
from scorecard.services import audit, permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.limits import DESCRIPTION, REASON, TITLE, check_length
from scorecard.services.publicity.citations import cite_all, cited
from scorecard.services.rounds import adjustments

ZERO = Decimal("0")


def nominate(session: Session, actor: User, target: RoundTarget, item: SchemeItem | None, title: str,
             claimed, description: str = "", evidence_ids: list[int] = ()) -> Nomination:
    if not permissions.can_nominate(actor, target):
        if permissions.is_own_unit(actor, target):
            raise PermissionDenied(f"本轮考核处于“{target.round.phase_label}”阶段，不能再推报")
        raise PermissionDenied()
    if item is None or item.scheme_id != target.round.scheme_id or item.kind != "bonus":
        raise ServiceError("请选择本轮方案中的加分项", "item")
    text = check_length(title, "荣誉或成果名称", TITLE, "title")
    if not text:
        raise ServiceError("请填写荣誉或成果名称", "title")
    desc = check_length(description, "说明", DESCRIPTION, "description")
    if claimed in (None, "") and item.points is not None:
        claimed = item.points
    try:
        points = to_decimal(claimed)
    except ValueError:
        raise ServiceError(f"申报分值不是有效的数字：{claimed}", "claimed") from None
    if points <= 0 or places(points) > 2:
        raise ServiceError("申报分值必须大于0，最多保留两位小数", "claimed")
    if item.cap is not None and points > item.cap:
        raise ServiceError(f"申报分值{fmt(points)}超过该加分项上限{fmt(item.cap)}", "claimed")
    nom = Nomination(target_id=target.id, item_id=item.id, title=text, description=desc,
                     claimed_points=q2(points), created_by_id=actor.id)
    session.add(nom)
    session.flush()
    if evidence_ids:
        cite_all(session, actor, target, "nomination", nom.id, evidence_ids)
    audit.record(session, actor, "create", "nomination", nom.id,
                 new={"target": target.org.code, "item": item.code, "title": text, "claimed": nom.claimed_points})
    return nom


def withdraw(session: Session, actor: User, nom: Nomination) -> None:
    if not permissions.can_nominate(actor, nom.target):
        raise PermissionDenied()
    if nom.status != "pending":
        raise ServiceError("已审核的推报不能撤回", "status")
    for c in cited(session, "nomination", [nom.id]).get(nom.id, []):
        session.delete(c)
    audit.record(session, actor, "delete", "nomination", nom.id,
                 old={"target": nom.target.org.code, "title": nom.title, "claimed": nom.claimed_points})
    session.delete(nom)
    session.flush()


def room_for(session: Session, target: RoundTarget, item: SchemeItem) -> Decimal | None:
    """Points still countable for `item` on `target` (None: unlimited)."""
    granted: dict[int, Decimal] = defaultdict(lambda: ZERO)
    caps: dict[int, Decimal | None] = {}
    for a in session.scalars(select(Adjustment).where(Adjustment.target_id == target.id)):
        if a.item.kind == "bonus":
            granted[a.item_id] += a.points
            caps[a.item_id] = a.item.cap
    items = [(granted[i], caps[i]) for i in granted]
    return bonus_room(item.cap, target.round.scheme.bonus_cap, granted[item.id], items)


def decide(session: Session, actor: User, nom: Nomination, approve: bool, points=None,
           reason: str = "") -> Nomination:
    target = nom.target
    if not permissions.can_decide_nomination(actor, target):
        if permissions.is_home_unit(actor, target.org):
            raise PermissionDenied("您所在单位需回避，不能审核其绩优推报")
        raise PermissionDenied()
    if nom.status != "pending":
        raise ServiceError(f"该推报已审核（{nom.status_label}）", "decision")
    text = check_length(reason, "审核意见", REASON, "reason")
    old = {"status": nom.status}
    if approve:
        raw = nom.claimed_points if points in (None, "") else points
        try:
            value = check_approval(nom.claimed_points, raw, room_for(session, target, nom.item))
        except RuleError as exc:
            raise ServiceError(exc.message, "points") from None
        if value < nom.claimed_points and not text:
            raise ServiceError(f"核定分值低于申报分值{fmt(nom.claimed_points)}，请填写审核意见说明原因", "reason")
        adj_reason = f"绩优推报：{nom.title}" + (f"（{text}）" if text else "")
        adj = adjustments.add_adjustment(session, actor, target, nom.item, value, adj_reason)
        nom.status, nom.approved_points, nom.adjustment_id = "approved", value, adj.id
    else:
        if not text:
            raise ServiceError("不通过须填写原因", "reason")
        nom.status = "rejected"
    nom.decision_reason = text or None
    nom.decided_by_id, nom.decided_at = actor.id, utcnow()
    session.flush()
    audit.record(session, actor, "decide", "nomination", nom.id, old=old,
                 new={"status": nom.status, "claimed": nom.claimed_points, "approved": nom.approved_points,
                      "target": target.org.code, "item": nom.item.code}, reason=text or None)
    return nom


def for_target(session: Session, target: RoundTarget) -> list[Nomination]:
    return list(session.scalars(select(Nomination).where(Nomination.target_id == target.id)
                                .order_by(Nomination.id)))


def for_round(session: Session, round_id: int) -> list[Nomination]:
    return list(session.scalars(
        select(Nomination).join(RoundTarget, Nomination.target_id == RoundTarget.id)
        .where(RoundTarget.round_id == round_id).order_by(Nomination.status != "pending", Nomination.id)))
