"""import_scheme: a new draft (or next version) from a parsed workbook."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import select

from scorecard.importers.common import ImportFailed
from scorecard.importers.scheme import ParsedTier, parse_scheme
from scorecard.models import Category
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.schemes import lifecycle as schemes

from .helpers import DEMO, audits, ind, parsed, template_rows, workbook


def test_import_builds_tree_items_tiers_settings(session, w):
    scheme = schemes.import_scheme(session, w["assessor"], parsed(), "S1", "2025年度考核", 2025)
    session.commit()
    session.expire_all()
    assert (scheme.code, scheme.version, scheme.status, scheme.year) == ("S1", 1, "draft", 2025)
    assert [(i.code, i.parent.code if i.parent else None, i.position) for i in scheme.indicators] == [
        ("1", None, 1), ("1.1", "1", 2), ("1.2", "1", 3), ("2", None, 4), ("2.1", "2", 5)]
    one = scheme.indicators[1]
    assert (one.content, one.rule_text, one.methods, one.evidence_hint) == ("学习传达", "未学习的不得分",
                                                                           ["日常考核"], "学习记录")
    assert scheme.indicators[2].rule_type == "deduct" and scheme.indicators[2].rule_params == {"per": "2"}
    assert [(i.code, i.kind, i.points, i.cap) for i in scheme.items] == [
        ("B1", "bonus", D(1), D(2)), ("P1", "penalty", D(2), None)]
    # no tiers in the file: the default set
    assert [(t.name, t.threshold, t.quota_pct) for t in scheme.tiers] == [
        ("好", D(90), None), ("较好", D(80), None), ("一般", D(60), None), ("差", D(0), None)]
    assert (scheme.full_marks, scheme.bonus_cap, scheme.convert, scheme.veto_cap, scheme.tie_break) == (
        D(100), None, False, None, [])
    # no categories named: every category that exists
    assert [c.name for c in scheme.categories] == ["机关"]
    assert schemes.validate_scheme(scheme) == []


def test_settings_tiers_and_named_categories(session, w):
    p = parsed(
        indicators=[ind("1", None, "政治建设", 100, categories=["机关", "医疗卫生"]),
                    ind("1.1", "1", "学习", 60, "direct", categories=["医疗卫生"]),
                    ind("1.2", "1", "制度", 40, "check", categories=["机关", "村"])],
        tiers=[ParsedTier("优秀", D(95), D(15)), ParsedTier("合格", D(0), None)],
        settings={"full_marks": D(100), "bonus_cap": D(5), "convert": True, "veto_cap": "合格",
                  "tie_break": ["1"], "declared_total": D(100)})
    scheme = schemes.import_scheme(session, w["admin"], p, "S2", "分类考核", "2026")
    session.commit()
    session.expire_all()
    assert scheme.year == 2026
    assert [c.name for c in scheme.categories] == ["机关", "医疗卫生", "村"]  # 医疗卫生 and 村 created
    assert session.scalar(select(Category).where(Category.name == "村")) is not None
    assert [c.name for c in scheme.indicators[2].categories] == ["机关", "村"]
    assert [(t.name, t.threshold, t.quota_pct) for t in scheme.tiers] == [("优秀", D(95), D(15)), ("合格", D(0), None)]
    assert (scheme.bonus_cap, scheme.convert, scheme.veto_cap, scheme.tie_break) == (D(5), True, "合格", ["1"])
    # 1.2 names 村, which its parent does not allow
    assert any("1.2" in m and "村" in m for m in schemes.validate_scheme(scheme))


def test_same_code_becomes_next_version(session, w, draft):
    again = schemes.import_scheme(session, w["assessor"], parsed(), "S1", "第二次导入", 2025)
    third = schemes.import_scheme(session, w["assessor"], parsed(), " S1 ", "第三次导入", 2025)
    assert (draft.version, again.version, third.version) == (1, 2, 3)
    assert again.status == "draft"


def test_import_is_audited_with_the_definition(session, w, draft):
    entry = audits(session, "scheme", "import")[-1]
    assert entry.user_id == w["assessor"].id and entry.entity_id == draft.id
    assert entry.new["code"] == "S1" and entry.new["version"] == 1 and entry.new["layout"] == "template"
    assert [i["code"] for i in entry.new["indicators"]] == ["1", "1.1", "1.2", "2", "2.1"]
    assert entry.new["indicators"][1]["max_points"] == "40"
    assert entry.new["settings"]["full_marks"] == "100"


@pytest.mark.parametrize("code,name,year,field,fragment", [
    ("", "名称", 2025, "code", "方案编码不能为空"),
    ("A B", "名称", 2025, "code", "不能含空格"),
    ("S", " ", 2025, "name", "方案名称不能为空"),
    ("S", "名称", "二〇二五", "year", "不是有效的年份"),
    ("S", "名称", 1999, "year", "应在2000到2100之间"),
])
def test_identity_errors(session, w, code, name, year, field, fragment):
    with pytest.raises(ServiceError) as err:
        schemes.import_scheme(session, w["assessor"], parsed(), code, name, year)
    assert err.value.field == field and fragment in err.value.message


@pytest.mark.parametrize("role", ["leader", "unit_a", "clerk"])
def test_only_managers_import(session, w, role):
    with pytest.raises(PermissionDenied):
        schemes.import_scheme(session, w[role], parsed(), "S1", "名称", 2025)


def test_demo_workbook_imports_and_validates(session, w):
    p = parse_scheme(str(DEMO))
    scheme = schemes.import_scheme(session, w["assessor"], p, "CJ2025", "演示方案", 2025)
    session.commit()
    assert len(scheme.indicators) == len(p.indicators)
    assert [c.name for c in scheme.categories] == ["党政机关", "事业单位", "国有企业", "医疗卫生"]
    assert scheme.convert is True and scheme.veto_cap == "一般" and scheme.tie_break == ["2", "1"]
    assert schemes.validate_scheme(scheme) == []


def test_template_workbook_round_trip(session, w):
    p = parse_scheme(workbook({"指标": template_rows(),
                               "等次": [["等次", "最低分", "名额比例(%)"], ["好", 90, 20], ["差", 0, None]],
                               "设置": [["项目", "值"], ["满分", 100], ["并列排序依据", "2"]]}))
    scheme = schemes.import_scheme(session, w["assessor"], p, "T", "模板导入", 2025)
    assert [c.name for c in scheme.categories] == ["机关", "事业单位"]
    assert scheme.indicators[2].rule_type == "deduct" and scheme.indicators[2].rule_params == {"per": "2"}
    assert scheme.indicators[4].rule_type == "grade"
    assert [(t.name, t.quota_pct) for t in scheme.tiers] == [("好", D(20)), ("差", None)]
    assert scheme.tie_break == ["2"]


def test_rulebook_layout_imports_with_direct_leaves_and_rule_text(session, w):
    rows = [["2025年度机关党建工作考核细则"],
            ["一级指标", "二级指标", "考核内容", "评分标准", "分值"],
            ["一、政治建设（60分）", "1.理论学习", "中心组学习", "每少1次扣0.5分", 40],
            [None, "2.意识形态", "责任制", "未研究扣2分", 20],
            ["二、组织建设（40分）", "3.三会一课", "落实制度", "每缺1次扣1分", 40],
            ["合计", None, None, None, 100]]
    p = parse_scheme(workbook({"细则": rows}, {"细则": ["A1:E1", "A3:A4", "A6:D6"]}))
    assert p.layout == "rulebook"
    scheme = schemes.import_scheme(session, w["assessor"], p, "RB", p.title, 2025)
    session.commit()
    session.expire_all()
    assert scheme.name == "2025年度机关党建工作考核细则"
    leaves = [i for i in scheme.indicators if i.parent_id]
    assert [(i.code, i.rule_type, i.rule_text) for i in leaves] == [
        ("1.1", "direct", "每少1次扣0.5分"), ("1.2", "direct", "未研究扣2分"), ("2.1", "direct", "每缺1次扣1分")]
    assert [t.name for t in scheme.tiers] == ["好", "较好", "一般", "差"]
    assert schemes.validate_scheme(scheme) == []


def test_parse_errors_raise_before_anything_is_written(session, w):
    bad = template_rows(extra=[["1.1", "1", "重复编码", "十分"]])
    with pytest.raises(ImportFailed) as err:
        parse_scheme(workbook({"指标": bad}))
    assert len(err.value.issues) >= 2
