"""Editing a draft: settings, indicators, items, tiers; Chinese errors naming the field;
an audit row with old → new for every change; permissions."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from scorecard.models import Indicator, Scheme
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.schemes import edit
from scorecard.services.schemes import lifecycle as schemes

from .helpers import audits


def by_code(scheme) -> dict[str, Indicator]:
    return {i.code: i for i in scheme.indicators}


def reload(session, scheme) -> Scheme:
    session.commit()
    session.expire_all()
    return session.get(Scheme, scheme.id)


# --- settings -------------------------------------------------------------------------------

def test_update_settings_all_fields_and_audit(session, w, draft, make):
    make.category("医疗卫生")
    edit.update_settings(session, w["assessor"], draft, name=" 新名称 ", year="2026", full_marks="100",
                         bonus_cap="5.5", convert=True, veto_cap="一般", tie_break="2、1",
                         categories=["机关", "医疗卫生"])
    s = reload(session, draft)
    assert (s.name, s.year, s.full_marks, s.bonus_cap, s.convert, s.veto_cap, s.tie_break) == (
        "新名称", 2026, D(100), D("5.5"), True, "一般", ["2", "1"])
    assert [c.name for c in s.categories] == ["机关", "医疗卫生"]
    entry = audits(session, "scheme", "update")[-1]
    assert entry.user_id == w["assessor"].id and entry.entity_id == s.id
    assert entry.old == {"name": "2025年度机关党建考核", "year": 2025, "bonus_cap": None, "convert": False,
                         "veto_cap": None, "tie_break": [], "categories": ["机关"]}
    assert entry.new == {"name": "新名称", "year": 2026, "bonus_cap": "5.5", "convert": True,
                         "veto_cap": "一般", "tie_break": ["2", "1"], "categories": ["机关", "医疗卫生"]}


def test_unchanged_settings_write_no_audit(session, w, draft):
    before = len(audits(session))
    edit.update_settings(session, w["assessor"], draft, full_marks="100.00", bonus_cap="", veto_cap="")
    assert len(audits(session)) == before


@pytest.mark.parametrize("changes,field,message", [
    ({"full_marks": "abc"}, "full_marks", "满分不是有效的数字：abc"),
    ({"full_marks": "0"}, "full_marks", "满分必须大于0（当前0）"),
    ({"full_marks": "100.005"}, "full_marks", "满分最多保留两位小数（当前100.005）"),
    ({"bonus_cap": "-1"}, "bonus_cap", "加分上限必须大于0（当前-1）"),
    ({"veto_cap": "优秀"}, "veto_cap", "一票否决封顶等次「优秀」不是方案中的等次（可用：好、较好、一般、差）"),
    ({"tie_break": "1、1.1"}, "tie_break", "并列排序依据「1.1」不是一级指标编码（可用：1、2）"),
    ({"year": "明年"}, "year", "年度「明年」不是有效的年份"),
    ({"name": ""}, "name", "方案名称不能为空"),
])
def test_settings_errors_name_the_field(session, w, draft, changes, field, message):
    with pytest.raises(ServiceError) as err:
        edit.update_settings(session, w["assessor"], draft, **changes)
    assert (err.value.field, err.value.message) == (field, message)


# --- indicators --------------------------------------------------------------------------------

def test_add_indicator_under_parent_goes_last_in_its_subtree(session, w, draft):
    ind = edit.add_indicator(session, w["assessor"], draft, by_code(draft)["1"], "1.3", "意识形态", "5",
                             rule_type="计次", params_text="每次=1", methods="日常考核、实地核验",
                             categories=["机关"], content="内容", rule_text="每次1分", evidence_hint="会议记录")
    s = reload(session, draft)
    assert [i.code for i in s.indicators] == ["1", "1.1", "1.2", "1.3", "2", "2.1"]
    assert [i.position for i in s.indicators] == [1, 2, 3, 4, 5, 6]
    new = by_code(s)["1.3"]
    assert (new.parent.code, new.max_points, new.rule_type, new.rule_params, new.methods,
            [c.name for c in new.categories], new.evidence_hint) == (
        "1", D(5), "count", {"per": "1"}, ["日常考核", "实地核验"], ["机关"], "会议记录")
    entry = audits(session, "indicator", "create")[-1]
    assert entry.entity_id == ind.id and entry.new["code"] == "1.3" and entry.new["parent"] == "1"
    # the parent now sums to 65: the pre-publish check says so, naming the indicator
    assert any(m.startswith("指标 1「政治建设」") for m in schemes.validate_scheme(s))


def test_add_top_level_indicator(session, w, draft):
    edit.add_indicator(session, w["assessor"], draft, None, "3", "作风建设", "10")
    s = reload(session, draft)
    assert [i.code for i in s.indicators][-1] == "3" and by_code(s)["3"].rule_type == "direct"


@pytest.mark.parametrize("kwargs,field,message", [
    ({"code": "1.1"}, "code", "指标 1.1「新」：编码「1.1」已存在"),
    ({"code": ""}, "code", "指标 （新）「新」：编码不能为空"),
    ({"code": "3 1"}, "code", "不能包含空格"),
    ({"code": "3、1"}, "code", "不能包含空格或、，；/等分隔符"),
    ({"name": " "}, "name", "指标 3「」：名称不能为空"),
    ({"max_points": "十"}, "max_points", "指标 3「新」：分值不是有效的数字：十"),
    ({"max_points": "-2"}, "max_points", "指标 3「新」：分值必须大于0（当前-2）"),
    ({"max_points": "1.234"}, "max_points", "指标 3「新」：分值最多保留两位小数（当前1.234）"),
])
def test_add_indicator_errors(session, w, draft, kwargs, field, message):
    args = {"code": "3", "name": "新", "max_points": "10", **kwargs}
    with pytest.raises(ServiceError) as err:
        edit.add_indicator(session, w["assessor"], draft, None, args["code"], args["name"], args["max_points"])
    assert err.value.field == field and message in err.value.message


def test_update_indicator_every_field_and_audit(session, w, draft, make):
    i = by_code(draft)["1.2"]
    edit.update_indicator(session, w["admin"], i, code="1.2a", name="“三会一课”", max_points="20.5",
                          content="严格落实", rule_text="每缺1次扣1-3分", methods=["日常考核"],
                          categories="机关", evidence_hint="会议记录", rule_type="deduct", params_text="范围=1-3")
    s = reload(session, draft)
    j = by_code(s)["1.2a"]
    assert (j.name, j.max_points, j.content, j.rule_text, j.methods, [c.name for c in j.categories],
            j.evidence_hint, j.rule_type, j.rule_params) == (
        "“三会一课”", D("20.5"), "严格落实", "每缺1次扣1-3分", ["日常考核"], ["机关"], "会议记录", "deduct",
        {"min": "1", "max": "3"})
    entry = audits(session, "indicator", "update")[-1]
    assert entry.user_id == w["admin"].id
    assert entry.old["code"] == "1.2" and entry.new["code"] == "1.2a"
    assert entry.old["rule_params"] == {"per": "2"} and entry.new["rule_params"] == {"min": "1", "max": "3"}
    assert entry.old["max_points"] == "20" and entry.new["max_points"] == "20.5"
    assert "rule_type" not in entry.new  # unchanged fields are not recorded


def test_changing_rule_type_uses_new_defaults_or_asks(session, w, draft):
    i = by_code(draft)["1.1"]
    edit.update_indicator(session, w["assessor"], i, rule_type="测评")
    assert (i.rule_type, i.rule_params["weights"][0]) == ("vote", ["满意", "1"])
    with pytest.raises(ServiceError) as err:
        edit.update_indicator(session, w["assessor"], i, rule_type="count")
    assert err.value.field == "params_text"
    assert err.value.message == "指标 1.1「第一议题」：计分参数：计次须设置每次得分（如：每次=2）"
    assert i.rule_type == "vote"


@pytest.mark.parametrize("rule_type,text,field,fragment", [
    ("扣分", "每次=abc", "params_text", "指标 1.2「三会一课」：计分参数："),
    ("扣分", "次数=2", "params_text", "不认识的参数"),
    ("计次", "", "params_text", "计次须设置每次得分"),
    ("档次", "好=120,差=0", "params_text", "应写成0到1的小数或百分数"),
    ("直接打分", "每次=2", "params_text", "无需设置参数"),
    ("定量", "目标=0", "params_text", "目标值必须大于0"),
    ("打分", "", "rule_type", "指标 1.2「三会一课」：计分方式：未知的计分方式：打分"),
])
def test_rule_params_errors(session, w, draft, rule_type, text, field, fragment):
    i = by_code(draft)["1.2"]
    with pytest.raises(ServiceError) as err:
        edit.update_indicator(session, w["assessor"], i, rule_type=rule_type, params_text=text)
    assert err.value.field == field and fragment in err.value.message, err.value.message
    assert (i.rule_type, i.rule_params) == ("deduct", {"per": "2"})


def test_indicator_category_must_be_a_scheme_category(session, w, draft):
    with pytest.raises(ServiceError) as err:
        edit.update_indicator(session, w["assessor"], by_code(draft)["1.1"], categories=["村"])
    assert err.value.field == "categories"
    assert err.value.message == "指标 1.1「第一议题」：适用类别「村」不在方案类别中（可用：机关）"


def test_delete_indicator_with_subtree(session, w, draft):
    top = by_code(draft)["1"]
    edit.add_indicator(session, w["assessor"], draft, by_code(draft)["1.1"], "1.1.1", "细则", "40")
    session.commit()
    edit.delete_indicator(session, w["assessor"], top)
    s = reload(session, draft)
    assert [(i.code, i.position) for i in s.indicators] == [("2", 1), ("2.1", 2)]
    assert session.query(Indicator).filter(Indicator.scheme_id == s.id).count() == 2
    entry = audits(session, "indicator", "delete")[-1]
    assert [x["code"] for x in entry.old["indicators"]] == ["1", "1.1", "1.1.1", "1.2"]
    assert "共4项" in entry.reason


def test_move_up_and_down_moves_subtrees(session, w, draft):
    edit.move_indicator(session, w["assessor"], by_code(draft)["2"], "up")
    s = reload(session, draft)
    assert [i.code for i in s.indicators] == ["2", "2.1", "1", "1.1", "1.2"]
    edit.move_indicator(session, w["assessor"], by_code(s)["1.1"], "down")
    s = reload(session, s)
    assert [i.code for i in s.indicators] == ["2", "2.1", "1", "1.2", "1.1"]
    entry = audits(session, "indicator", "move")[-1]
    assert entry.old == {"order": ["1.1", "1.2"]} and entry.new == {"order": ["1.2", "1.1"]}
    with pytest.raises(ServiceError, match="已在同级最前"):
        edit.move_indicator(session, w["assessor"], by_code(s)["2"], "up")
    with pytest.raises(ServiceError, match="已在同级最后"):
        edit.move_indicator(session, w["assessor"], by_code(s)["1.1"], "down")


# --- items ---------------------------------------------------------------------------------------

def test_items_add_update_delete_with_audit(session, w, draft):
    item = edit.add_item(session, w["assessor"], draft, "B2", "三八红旗集体", "加分", "0.5", "1")
    assert (item.kind, item.points, item.cap, item.position) == ("bonus", D("0.5"), D(1), 3)
    edit.update_item(session, w["assessor"], item, name="三八红旗集体（州级）", kind="减分", cap="")
    assert (item.name, item.kind, item.cap) == ("三八红旗集体（州级）", "penalty", None)
    edit.delete_item(session, w["assessor"], item)
    s = reload(session, draft)
    assert [i.code for i in s.items] == ["B1", "P1"]
    assert [a.action for a in audits(session, "scheme_item")] == ["create", "update", "delete"]
    upd = audits(session, "scheme_item", "update")[0]
    assert upd.old == {"name": "三八红旗集体", "kind": "bonus", "cap": "1"}
    assert upd.new == {"name": "三八红旗集体（州级）", "kind": "penalty", "cap": None}


@pytest.mark.parametrize("args,field,fragment", [
    (("B1", "重复", "加分", "1", None), "code", "加减分项 B1：编码「B1」已存在"),
    (("B3", "", "加分", "1", None), "name", "名称不能为空"),
    (("B3", "项", "其他", "1", None), "kind", "类型应为「加分」或「减分」（当前「其他」）"),
    (("B3", "项", "加分", "0", None), "points", "每项分值必须大于0"),
    (("B3", "项", "加分", "2", "1"), "cap", "单项上限1小于每项分值2"),
    (("B3", "项", "加分", "1", "x"), "cap", "单项上限不是有效的数字：x"),
])
def test_item_errors(session, w, draft, args, field, fragment):
    with pytest.raises(ServiceError) as err:
        edit.add_item(session, w["assessor"], draft, *args)
    assert err.value.field == field and fragment in err.value.message, err.value.message


# --- tiers ----------------------------------------------------------------------------------------

def test_tiers_add_update_delete_keep_order(session, w, draft):
    edit.update_settings(session, w["assessor"], draft, veto_cap="一般")
    tier = edit.add_tier(session, w["assessor"], draft, "优秀", "95", "10")
    assert [t.name for t in draft.tiers] == ["优秀", "好", "较好", "一般", "差"]
    general = next(t for t in draft.tiers if t.name == "一般")
    edit.update_tier(session, w["assessor"], general, name="合格", threshold="70")
    assert draft.veto_cap == "合格"  # the cap follows the renamed tier
    edit.update_tier(session, w["assessor"], tier, threshold="85")
    assert [t.name for t in draft.tiers] == ["好", "优秀", "较好", "合格", "差"]
    edit.delete_tier(session, w["assessor"], tier)
    s = reload(session, draft)
    assert [(t.name, t.threshold, t.position) for t in s.tiers] == [
        ("好", D(90), 0), ("较好", D(80), 1), ("合格", D(70), 2), ("差", D(0), 3)]
    assert [a.action for a in audits(session, "tier")] == ["create", "update", "update", "delete"]
    rename = audits(session, "tier", "update")[0]
    assert rename.old == {"name": "一般", "threshold": "60", "veto_cap": "一般"}
    assert rename.new == {"name": "合格", "threshold": "70", "veto_cap": "合格"}
    assert schemes.validate_scheme(s) == []


@pytest.mark.parametrize("args,field,fragment", [
    (("好", "95"), "name", "等次名称「好」已存在"),
    (("", "95"), "name", "等次名称不能为空"),
    (("优秀", "-1"), "threshold", "最低分必须不小于0"),
    (("优秀", "x"), "threshold", "最低分不是有效的数字：x"),
    (("优秀", "95", "120"), "quota_pct", "名额比例不能超过100（当前120）"),
])
def test_tier_errors(session, w, draft, args, field, fragment):
    with pytest.raises(ServiceError) as err:
        edit.add_tier(session, w["assessor"], draft, *args)
    assert err.value.field == field and fragment in err.value.message, err.value.message


# --- permissions ----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["leader", "unit_a", "clerk"])
def test_only_admins_and_assessors_edit(session, w, draft, role):
    user = w[role]
    for attempt in (
        lambda: edit.update_settings(session, user, draft, name="x"),
        lambda: edit.add_indicator(session, user, draft, None, "3", "x", "1"),
        lambda: edit.update_indicator(session, user, draft.indicators[0], name="x"),
        lambda: edit.delete_indicator(session, user, draft.indicators[0]),
        lambda: edit.move_indicator(session, user, draft.indicators[0], "down"),
        lambda: edit.add_item(session, user, draft, "B9", "x", "加分"),
        lambda: edit.update_item(session, user, draft.items[0], name="x"),
        lambda: edit.delete_item(session, user, draft.items[0]),
        lambda: edit.add_tier(session, user, draft, "x", "95"),
        lambda: edit.update_tier(session, user, draft.tiers[0], name="x"),
        lambda: edit.delete_tier(session, user, draft.tiers[0]),
        lambda: schemes.new_version(session, user, draft),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
