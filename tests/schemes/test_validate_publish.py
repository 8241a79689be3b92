"""validate_scheme, publish (refused / ok / archives), immutability of published schemes."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from scorecard.models import Scheme, SchemeItem, Tier
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.schemes import edit as schemes_edit
from scorecard.services.schemes import lifecycle as schemes

from .helpers import audits, ind, parsed


def _import(session, w, **kw):
    return schemes.import_scheme(session, w["assessor"], parsed(**kw), "V", "校验", 2025)


def test_sum_mismatch_names_the_indicator(session, w):
    scheme = _import(session, w, indicators=[
        ind("1", None, "政治建设", 60), ind("1.1", "1", "第一议题", 30, "direct"),
        ind("1.2", "1", "三会一课", 20, "direct"), ind("2", None, "组织建设", 40),
        ind("2.1", "2", "主题党日", 40, "direct")])
    problems = schemes.validate_scheme(scheme)
    assert any("指标 1「政治建设」" in m and "50" in m and "60" in m for m in problems), problems


def test_top_level_sum_and_full_marks(session, w):
    scheme = _import(session, w, settings={"full_marks": D(120)})
    assert any("满分 120.00" in m for m in schemes.validate_scheme(scheme))


def test_missing_category_path(session, w, make):
    make.category("医疗卫生")
    scheme = _import(session, w, indicators=[
        ind("1", None, "政治建设", 100), ind("1.1", "1", "机关学习", 100, "direct", categories=["机关"])])
    scheme.categories = [make.category("机关"), make.category("医疗卫生")]
    problems = schemes.validate_scheme(scheme)
    assert any("类别「医疗卫生」" in m for m in problems), problems


def test_bad_tie_break_and_veto_cap(session, w):
    scheme = _import(session, w, settings={"tie_break": ["1.1", "9"], "veto_cap": "不存在"})
    problems = schemes.validate_scheme(scheme)
    assert "并列排序依据「1.1」不是一级指标编码（可用：1、2）" in problems
    assert any("「9」" in m for m in problems)
    assert "一票否决封顶等次「不存在」不是方案中的等次" in problems


@pytest.mark.parametrize("tiers,fragment", [
    ([], "至少需要设置一个等次"),
    ([("好", 90, None), ("较好", 95, None), ("差", 0, None)], "等次「较好」的最低分 95.00 应低于上一等次「好」的 90.00"),
    ([("好", 90, None), ("较好", 90, None), ("差", 0, None)], "应低于上一等次「好」"),
    ([("好", 90, None), ("差", 10, None)], "最低等次「差」的最低分应为0"),
    ([("好", 90, None), ("好", 0, None)], "等次名称「好」重复"),
    ([("好", 90, 120), ("差", 0, None)], "等次「好」的名额比例 120.00 应在0到100之间"),
])
def test_bad_tiers(session, w, draft, tiers, fragment):
    draft.tiers.clear()
    for pos, (name, threshold, quota) in enumerate(tiers):
        draft.tiers.append(Tier(name=name, threshold=D(threshold), quota_pct=quota, position=pos))
    session.flush()
    problems = schemes.validate_scheme(draft)
    assert any(fragment in m for m in problems), problems


def test_bad_items_and_bonus_cap(session, w, draft):
    draft.items.append(SchemeItem(code="B1", name="重复", kind="bonus", points=D(0), cap=None, position=9))
    draft.items.append(SchemeItem(code="X", name="怪", kind="other", points=None, cap=D(-1), position=10))
    draft.bonus_cap = D(0)
    problems = schemes.validate_scheme(draft)
    assert "加减分项 B1「重复」：编码重复" in problems
    assert "加减分项 B1「重复」：每项分值必须大于0（当前0.00）" in problems
    assert "加减分项 X「怪」：类型应为加分或减分" in problems
    assert "加减分项 X「怪」：单项上限必须大于0（当前-1.00）" in problems
    assert "加分上限必须大于0（当前0.00）" in problems


def test_bad_rule_params_name_the_leaf(session, w, draft):
    draft.indicators[2].rule_type = "count"
    draft.indicators[2].rule_params = {}
    problems = schemes.validate_scheme(draft)
    assert any(m.startswith("指标 1.2「三会一课」") and "每次" in m for m in problems), problems


def test_publish_refused_lists_every_message_and_changes_nothing(session, w):
    scheme = _import(session, w, settings={"full_marks": D(120), "tie_break": ["9"]})
    session.commit()
    with pytest.raises(schemes.PublishRefused) as err:
        schemes.publish(session, w["assessor"], scheme)
    assert err.value.messages == schemes.validate_scheme(scheme)
    assert len(err.value.messages) == 3
    assert isinstance(err.value, ServiceError)
    for m in err.value.messages:
        assert m in err.value.message
    assert "共3处问题" in err.value.message
    session.rollback()
    assert scheme.status == "draft" and scheme.published_at is None


def test_publish_archives_previous_published(session, w, draft):
    schemes.publish(session, w["assessor"], draft)
    assert draft.status == "published" and draft.published_at is not None
    v2 = schemes.new_version(session, w["assessor"], draft)
    schemes.publish(session, w["admin"], v2)
    session.commit()
    session.expire_all()
    assert (draft.status, v2.status) == ("archived", "published")
    actions = [(a.action, a.entity_id) for a in audits(session, "scheme")]
    assert ("publish", draft.id) in actions and ("archive", draft.id) in actions and ("publish", v2.id) in actions
    archive = audits(session, "scheme", "archive")[0]
    assert archive.old == {"status": "published"} and archive.new == {"status": "archived"}


def test_publish_only_drafts_and_only_managers(session, w, draft):
    with pytest.raises(PermissionDenied):
        schemes.publish(session, w["leader"], draft)
    schemes.publish(session, w["assessor"], draft)
    with pytest.raises(ServiceError, match="只有草稿可以发布"):
        schemes.publish(session, w["assessor"], draft)


def test_published_scheme_refuses_every_edit(session, w, draft):
    schemes.publish(session, w["assessor"], draft)
    session.commit()
    before = schemes.dump(draft)
    ind1, item, tier = draft.indicators[1], draft.items[0], draft.tiers[0]
    attempts = [
        lambda: schemes_edit.update_settings(session, w["assessor"], draft, full_marks="90"),
        lambda: schemes_edit.add_indicator(session, w["assessor"], draft, None, "3", "新", "1"),
        lambda: schemes_edit.update_indicator(session, w["assessor"], ind1, name="改"),
        lambda: schemes_edit.delete_indicator(session, w["assessor"], ind1),
        lambda: schemes_edit.move_indicator(session, w["assessor"], ind1, "down"),
        lambda: schemes_edit.add_item(session, w["assessor"], draft, "B9", "新", "加分", "1"),
        lambda: schemes_edit.update_item(session, w["assessor"], item, name="改"),
        lambda: schemes_edit.delete_item(session, w["assessor"], item),
        lambda: schemes_edit.add_tier(session, w["assessor"], draft, "新", "95"),
        lambda: schemes_edit.update_tier(session, w["assessor"], tier, name="改"),
        lambda: schemes_edit.delete_tier(session, w["assessor"], tier),
    ]
    for attempt in attempts:
        with pytest.raises(ServiceError) as err:
            attempt()
        assert err.value.message == "已发布的方案不能修改，请创建新版本"
    session.commit()
    session.expire_all()
    assert schemes.dump(session.get(Scheme, draft.id)) == before
    assert audits(session, "indicator") == [] and audits(session, "scheme_item") == []
