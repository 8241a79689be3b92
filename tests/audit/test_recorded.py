"""Every change to schemes, scores, adjustments, tiers, vetoes and overrides writes an audit
row: who, when, what (entity, id, action), old → new, reason, and the round it belongs to."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from scorecard.models import AuditEntry
from scorecard.services.rounds import adjustments
from scorecard.services.rounds import lifecycle as rounds
from scorecard.services.schemes import edit as schemes_edit
from scorecard.services.schemes import lifecycle as schemes
from tests.rounds.conftest import score


def _last(session, entity, action=None) -> AuditEntry:
    q = select(AuditEntry).where(AuditEntry.entity == entity)
    if action:
        q = q.where(AuditEntry.action == action)
    return session.scalars(q.order_by(AuditEntry.id.desc())).first()


def test_scheme_and_tier_changes(session, make):
    w = make.world()
    draft = make.scheme(code="D1", status="draft")
    admin = w["admin"]
    schemes_edit.update_settings(session, admin, draft, name="新方案名称", bonus_cap="5")
    e = _last(session, "scheme", "update")
    assert (e.user_id, e.entity_id, e.old["name"], e.new["name"], Decimal(e.new["bonus_cap"])) == (
        admin.id, draft.id, "测试方案", "新方案名称", Decimal(5))
    assert e.at is not None and e.reason == "修改方案设置"
    tier = draft.tiers[0]
    schemes_edit.update_tier(session, admin, tier, threshold="85")
    e = _last(session, "tier", "update")
    assert (e.entity_id, Decimal(e.old["threshold"]), Decimal(e.new["threshold"])) == (tier.id, 90, 85)
    leaf = next(i for i in draft.indicators if i.code == "1.1")
    schemes_edit.update_indicator(session, admin, leaf, rule_text="按学习次数评分")
    e = _last(session, "indicator", "update")
    assert e.entity_id == leaf.id and e.new["rule_text"] == "按学习次数评分"
    schemes_edit.delete_tier(session, admin, draft.tiers[-1])
    assert _last(session, "tier", "delete").old["name"] == "差"
    other = make.scheme(code="D2", status="draft")
    schemes.publish(session, admin, other)
    e = _last(session, "scheme", "publish")
    assert (e.entity_id, e.old, e.new["status"]) == (other.id, {"status": "draft"}, "published")


def test_scores_adjustments_veto_override_and_phases_carry_the_round(session, make):
    w = make.world()
    scheme = make.scheme()
    rnd = make.round(scheme, w["root"], [w["a"], w["b"]])
    ta = rnd.targets[0]
    a = w["assessor"]
    score(session, a, ta, "1.1", "38", "材料略少")
    e = _last(session, "score", "create")
    assert (e.user_id, e.round_id, e.old, e.new["points"], e.reason) == (a.id, rnd.id, None, "38.00", "材料略少")
    score(session, a, ta, "1.1", "36", "复核后调整")
    e = _last(session, "score", "update")
    assert (e.old["points"], e.new["points"], e.reason, e.round_id) == ("38.00", "36.00", "复核后调整", rnd.id)
    adj = adjustments.add_adjustment(session, a, ta, scheme.items[0], "1", "获得省级表彰")
    e = _last(session, "adjustment", "create")
    assert (e.entity_id, e.new["points"], e.reason, e.round_id) == (adj.id, "1.00", "获得省级表彰", rnd.id)
    adjustments.remove_adjustment(session, a, adj, "重复录入")
    e = _last(session, "adjustment", "delete")
    assert (e.old["item"], e.reason, e.round_id) == ("B1", "重复录入", rnd.id)
    adjustments.set_veto(session, a, ta, True, "发生严重违纪问题")
    e = _last(session, "round_target", "veto")
    assert (e.entity_id, e.old["veto"], e.new, e.reason, e.round_id) == (
        ta.id, False, {"veto": True, "reason": "发生严重违纪问题"}, "发生严重违纪问题", rnd.id)
    adjustments.set_override(session, a, ta, "一般", "经集体研究调整")
    e = _last(session, "round_target", "override_tier")
    assert (e.old["tier_override"], e.new["tier_override"], e.reason, e.round_id) == (
        None, "一般", "经集体研究调整", rnd.id)
    rounds.advance(session, a, rnd, "publish")
    e = _last(session, "round", "publish")
    assert (e.old["phase"], e.new["phase"], e.round_id) == ("review", "publicity", rnd.id)


def test_round_is_inferred_for_target_entities(session, make):
    """Rows written without round_id by other areas (self-assessment, appeals …) still filter by round."""
    from scorecard.models import Adjustment
    from scorecard.services import audit

    w = make.world()
    scheme = make.scheme()
    rnd = make.round(scheme, w["root"], [w["a"]])
    target = rnd.targets[0]
    adj = Adjustment(target_id=target.id, item=scheme.items[0], points=Decimal(1), reason="x",
                     created_by=w["assessor"])
    session.add(adj)
    session.flush()
    assert audit.record(session, w["admin"], "update", "round_target", target.id).round_id == rnd.id
    assert audit.record(session, w["admin"], "update", "adjustment", adj.id).round_id == rnd.id
    assert audit.record(session, w["admin"], "finalize", "round", rnd.id).round_id == rnd.id
    assert audit.record(session, w["admin"], "update", "adjustment", 99999).round_id is None
    assert audit.record(session, w["admin"], "update", "scheme", scheme.id).round_id is None
    assert audit.record(session, w["admin"], "login", "login", w["admin"].id).round_id is None
    session.commit()
