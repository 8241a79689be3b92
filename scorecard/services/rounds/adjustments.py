"""Bonus (加分) and penalty (减分) items, veto (一票否决) and manual tier override.
Each needs a written reason and is audited."""
from __future__ import annotations

from scorecard.domain.numbers import q2, to_decimal
from scorecard.models import Adjustment, RoundTarget, SchemeItem, User
from scorecard.services import audit, limits, permissions
from scorecard.services.errors import ServiceError
from scorecard.services.limits import check_length


def _guard(actor: User, target: RoundTarget) -> None:
    permissions.ensure(permissions.why_not_adjust(actor, target))


def _reason(reason: str | None) -> str:
    text = check_length(reason, "原因", limits.REASON, "reason")
    if not text:
        raise ServiceError("必须填写原因", "reason")
    return text


def add_adjustment(session, actor: User, target: RoundTarget, item: SchemeItem, points, reason: str) -> Adjustment:
    _guard(actor, target)
    if item.scheme_id != target.round.scheme_id:
        raise ServiceError("该加减分项不属于本轮方案", "item")
    try:
        value = q2(to_decimal(points if points not in (None, "") else item.points))
    except (ValueError, TypeError):
        raise ServiceError("分值必须是数字", "points") from None
    if value <= 0:
        raise ServiceError("分值必须大于0", "points")
    if item.cap is not None and value > item.cap:
        raise ServiceError(f"分值{value}超过该项上限{item.cap}", "points")
    adj = Adjustment(target_id=target.id, item=item, points=value, reason=_reason(reason), created_by=actor)
    session.add(adj)
    session.flush()
    audit.record(session, actor, "create", "adjustment", adj.id,
                 new={"target": target.org.code, "item": item.code, "points": value}, reason=adj.reason,
                 round_id=target.round_id)
    return adj


def add_scheme_item(session, actor: User, target: RoundTarget, item_id: int | None, points,
                    reason: str) -> Adjustment:
    """add_adjustment for an item chosen by id (a form's choice) among the round's scheme's."""
    _guard(actor, target)
    item = next((i for i in target.round.scheme.items if i.id == item_id), None)
    if item is None:
        raise ServiceError("请选择本轮方案中的加减分项", "item")
    return add_adjustment(session, actor, target, item, points, reason)


def remove_adjustment(session, actor: User, adj: Adjustment, reason: str) -> None:
    target = session.get(RoundTarget, adj.target_id)
    _guard(actor, target)
    text = _reason(reason)
    audit.record(session, actor, "delete", "adjustment", adj.id,
                 old={"target": target.org.code, "item": adj.item.code, "points": adj.points}, reason=text,
                 round_id=target.round_id)
    session.delete(adj)
    session.flush()


def set_veto(session, actor: User, target: RoundTarget, on: bool, reason: str) -> None:
    _guard(actor, target)
    text = _reason(reason)
    old = {"veto": target.veto, "reason": target.veto_reason}
    target.veto, target.veto_reason = on, (text if on else None)
    session.flush()
    audit.record(session, actor, "veto" if on else "unveto", "round_target", target.id,
                 old=old, new={"veto": on, "reason": target.veto_reason}, reason=text,
                 round_id=target.round_id)


def set_override(session, actor: User, target: RoundTarget, tier: str | None, reason: str) -> None:
    """Set the tier (None or "": clear the override; refused when there is none)."""
    _guard(actor, target)
    if not tier and not target.tier_override:
        raise ServiceError("请选择调整后的等次", "tier")
    text = _reason(reason)
    names = [t.name for t in target.round.scheme.tiers]
    if tier and tier not in names:
        raise ServiceError(f"等次“{tier}”不存在，可选：{'、'.join(names)}", "tier")
    old = {"tier_override": target.tier_override, "reason": target.override_reason}
    target.tier_override = tier or None
    target.override_reason = text if tier else None
    session.flush()
    audit.record(session, actor, "override_tier", "round_target", target.id,
                 old=old, new={"tier_override": tier or None, "reason": target.override_reason},
                 reason=text, round_id=target.round_id)


