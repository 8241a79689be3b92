"""new_version copies everything; diff_versions lists what changed (C11)."""
from __future__ import annotations

from decimal import Decimal as D

from scorecard.models import Scheme
from scorecard.services.schemes import diff as schemes_diff
from scorecard.services.schemes import edit as schemes_edit
from scorecard.services.schemes import lifecycle as schemes

from .helpers import audits, ind, parsed


def _fields(i):
    return (i.code, i.parent.code if i.parent else None, i.position, i.name, i.max_points, i.content,
            i.rule_text, list(i.methods), i.evidence_hint, i.rule_type, dict(i.rule_params),
            [c.name for c in i.categories])


def test_new_version_copies_everything(session, w, make):
    p = parsed(indicators=[ind("1", None, "政治建设", 100, categories=["机关", "村"]),
                           ind("1.1", "1", "学习", 60, "count", {"per": "2"}, categories=["村"],
                               methods=["日常考核"], content="内容", rule_text="每次2分", evidence_hint="记录"),
                           ind("1.1.1", "1.1", "深层", 60, "vote", {}),
                           ind("1.2", "1", "制度", 40, "ratio", {"target": "95"})],
               settings={"bonus_cap": D(3), "convert": True, "veto_cap": "一般", "tie_break": ["1"]})
    old = schemes.import_scheme(session, w["assessor"], p, "C", "复制", 2025)
    old.tiers[0].quota_pct = D(20)
    session.commit()
    new = schemes.new_version(session, w["assessor"], old)
    session.commit()
    session.expire_all()
    old, new = session.get(Scheme, old.id), session.get(Scheme, new.id)
    assert (new.code, new.version, new.status, new.published_at) == ("C", 2, "draft", None)
    for attr in ("name", "year", "full_marks", "bonus_cap", "convert", "veto_cap", "tie_break"):
        assert getattr(new, attr) == getattr(old, attr), attr
    assert [c.name for c in new.categories] == [c.name for c in old.categories] == ["机关", "村"]
    assert [_fields(i) for i in new.indicators] == [_fields(i) for i in old.indicators]
    assert {i.id for i in new.indicators}.isdisjoint({i.id for i in old.indicators})
    assert all(i.scheme_id == new.id for i in new.indicators)
    assert all(i.parent is None or i.parent.scheme_id == new.id for i in new.indicators)
    assert [(t.code, t.name, t.kind, t.points, t.cap, t.position) for t in new.items] == \
        [(t.code, t.name, t.kind, t.points, t.cap, t.position) for t in old.items]
    assert [(t.name, t.threshold, t.quota_pct, t.position) for t in new.tiers] == \
        [(t.name, t.threshold, t.quota_pct, t.position) for t in old.tiers]
    assert schemes.dump(new) == schemes.dump(old)
    assert schemes_diff.diff_versions(old, new) == []
    entry = audits(session, "scheme", "new_version")[-1]
    assert entry.entity_id == new.id and entry.old == {"from": "C 第1版"}


def test_new_version_number_follows_the_highest(session, w, draft):
    v2 = schemes.new_version(session, w["assessor"], draft)
    v3 = schemes.new_version(session, w["assessor"], draft)  # copied from v1 again
    assert (v2.version, v3.version) == (2, 3)


def test_diff_lists_added_removed_changed_with_fields(session, w, draft):
    a = w["assessor"]
    schemes.publish(session, a, draft)
    new = schemes.new_version(session, a, draft)
    by = {i.code: i for i in new.indicators}
    schemes_edit.update_indicator(session, a, by["1.2"], name="“三会一课”", max_points="25",
                                  rule_type="扣分", params_text="范围=1-3", methods="日常考核")
    schemes_edit.update_indicator(session, a, by["1.1"], max_points="35", rule_text="新标准", content="新内容")
    schemes_edit.delete_indicator(session, a, by["2.1"])
    schemes_edit.add_indicator(session, a, new, by["2"], "2.2", "发展党员", "40", rule_type="达标")
    schemes_edit.update_settings(session, a, new, bonus_cap="5", tie_break="2、1", name="新名称")
    schemes_edit.update_item(session, a, new.items[0], points="0.5")
    schemes_edit.delete_item(session, a, new.items[1])
    schemes_edit.add_item(session, a, new, "B2", "三八红旗集体", "加分", "1", "1")
    schemes_edit.update_tier(session, a, new.tiers[0], threshold="92", quota_pct="20")
    lines = schemes_diff.diff_versions(draft, new)
    shown = [str(line) for line in lines]
    assert shown == [
        "修改方案设置：方案名称：2025年度机关党建考核 → 新名称；加分上限：（空） → 5.00；并列排序依据：（空） → 2、1",
        "修改指标 1.1「第一议题」：分值：40.00 → 35.00；评分标准：未学习的不得分 → 新标准；考核内容：学习传达 → 新内容",
        "修改指标 1.2「“三会一课”」：名称：三会一课 → “三会一课”；分值：20.00 → 25.00；计分方式：扣分 每次=2 → 扣分 范围=1-3；"
        "考核方式：实地核验、日常考核 → 日常考核",
        "新增指标 2.2「发展党员」：上级指标：2；分值：40.00；计分方式：达标",
        "删除指标 2.1「主题党日」",
        "修改加减分项 B1「获得表彰」：每项分值：1.00 → 0.50",
        "新增加减分项 B2「三八红旗集体」：类型：加分；每项分值：1.00；单项上限：1.00",
        "删除加减分项 P1「未按期换届」",
        "修改等次「好」：最低分：90.00 → 92.00；名额比例(%)：（空） → 20.00",
    ]
    assert [(x.area, x.kind, x.key) for x in lines][3] == ("indicator", "added", "2.2")
    changed = lines[2]
    assert [c.field for c in changed.changes] == ["name", "max_points", "rule", "methods"]


def test_leaf_becoming_parent_shows_as_rule_change(session, w, draft):
    new = schemes.new_version(session, w["assessor"], draft)
    by = {i.code: i for i in new.indicators}
    schemes_edit.add_indicator(session, w["assessor"], new, by["2.1"], "2.1.1", "细则", "40")
    lines = {line.key: line for line in schemes_diff.diff_versions(draft, new)}
    assert [(c.old, c.new) for c in lines["2.1"].changes] == [("档次 好=100%,较好=80%,一般=60%,差=0%", "（非末级）")]
    assert lines["2.1.1"].kind == "added"


def test_tree_rows(session, w, draft):
    rows = schemes_diff.tree_rows(draft)
    assert [(r.ind.code, r.depth, r.leaf, r.first, r.last, r.rule, r.params) for r in rows] == [
        ("1", 0, False, True, False, "", ""),
        ("1.1", 1, True, True, False, "直接打分", ""),
        ("1.2", 1, True, False, True, "扣分", "每次=2"),
        ("2", 0, False, False, True, "", ""),
        ("2.1", 1, True, True, True, "档次", "好=100%,较好=80%,一般=60%,差=0%"),
    ]
