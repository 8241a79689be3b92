"""services/orgs/tree.py: import (upsert), edit, tree; account activation (services/accounts)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from scorecard.importers.common import ImportFailed
from scorecard.importers.orgs import parse_orgs
from scorecard.models import Organisation
from scorecard.services.accounts import users as accounts
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.orgs import tree as svc
from tests.orgs.helpers import audits, dump, org_by_code, org_xlsx, row


@pytest.fixture
def w(make, session):
    world = make.world()
    session.commit()
    return world


def p(*orgs) -> str:
    return "/" + "".join(f"{o.id}/" for o in orgs)


def messages(exc_info) -> list[str]:
    return [str(i) for i in exc_info.value.issues]


# ----------------------------------------------------------------------------- import

def test_import_creates_orgs_with_paths_categories_groups_and_audit(session, w):
    rows = [row(2, "C", "丙医院党委", "GW", "医疗卫生", "第二片组", "党委"),
            row(3, "C-1", "丙医院第一党支部", "C", None, None, "党支部")]
    summary = svc.apply_org_import(session, w["admin"], rows)
    assert (summary.created, summary.updated, summary.unchanged) == (2, 0, 0)
    c, c1 = org_by_code(session, "C"), org_by_code(session, "C-1")
    assert c.path == p(w["root"], c) and c1.path == p(w["root"], c, c1)
    assert c.category.name == "医疗卫生" and c.group.name == "第二片组" and c1.kind == "党支部"
    assert "第2行：新建组织“C 丙医院党委”" in summary.details
    assert "新建类别“医疗卫生”" in summary.details and "新建片组“第二片组”" in summary.details
    created = audits(session, "organisation", "create")
    assert [a.new["code"] for a in created] == ["C", "C-1"]
    assert created[0].new["parent"] == "GW" and created[0].user_id == w["admin"].id
    assert created[0].reason == "组织导入"


def test_import_updates_changed_and_counts_unchanged(session, w):
    rows = [row(2, "A", "甲局党委", "GW", "机关", "第二片组"),
            row(3, "B", "乙局机关党委", "GW", "机关", "第一片组")]
    summary = svc.apply_org_import(session, w["admin"], rows)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    assert summary.details[0] == "第2行：更新组织“A”：名称：甲局机关党委 → 甲局党委；片组：第一片组 → 第二片组"
    entry, = audits(session, "organisation", "update")
    assert entry.old == {"code": "A", "name": "甲局机关党委", "group": "第一片组"}
    assert entry.new == {"code": "A", "name": "甲局党委", "group": "第二片组"}
    assert summary.text() == "组织导入完成：新建0个组织，更新1个，1个无变化"
    assert summary.text(dry_run=True).startswith("试运行（未写入数据库）")


def test_import_blank_optional_cells_keep_existing_values(session, w):
    summary = svc.apply_org_import(session, w["admin"], [row(2, "A", "甲局机关党委")])
    assert summary.unchanged == 1
    a = org_by_code(session, "A")
    assert a.parent.code == "GW" and a.category.name == "机关" and a.group.name == "第一片组"
    assert audits(session, "organisation") == []


def test_import_reparent_rewrites_subtree_paths(session, w):
    summary = svc.apply_org_import(session, w["admin"], [row(2, "A", "甲局机关党委", "B")])
    assert summary.updated == 1
    session.commit()
    session.expire_all()
    a, a1, b = org_by_code(session, "A"), org_by_code(session, "A-1"), org_by_code(session, "B")
    assert a.path == p(w["root"], b, a) and a1.path == p(w["root"], b, a, a1)
    assert a1.is_within(b)
    entry, = audits(session, "organisation", "update")
    assert entry.old["parent"] == "GW" and entry.new["parent"] == "B"


def test_import_moves_existing_org_under_a_new_one(session, w):
    rows = [row(2, "N", "新设党委", "GW"), row(3, "A", "甲局机关党委", "N")]
    svc.apply_org_import(session, w["admin"], rows)
    n, a, a1 = org_by_code(session, "N"), org_by_code(session, "A"), org_by_code(session, "A-1")
    assert a1.path == p(w["root"], n, a, a1)


def test_import_paths_stay_consistent_whatever_moves_together(session, w):
    data = org_xlsx([("N", "新设党委", "A-1"),     # new, under a branch whose ancestor moves
                     ("B", "乙局机关党委", "A-1"),  # B moves under the same branch
                     ("A", "甲局机关党委", "Q"),    # A moves under a brand-new org (listed later)
                     ("Q", "新工委", "GW")])
    svc.apply_org_import(session, w["admin"], parse_orgs(data, ["GW", "A", "A-1", "B"]))
    session.commit()
    session.expire_all()
    for org in session.scalars(select(Organisation)):
        assert org.path == (org.parent.path if org.parent else "/") + f"{org.id}/", org.code
    assert org_by_code(session, "B").path.count("/") == 6  # GW/Q/A/A-1/B


def test_import_cycle_through_existing_data_is_refused(session, w):
    before = dump(session)
    with pytest.raises(ImportFailed) as exc:
        svc.apply_org_import(session, w["admin"], [row(2, "N", "新设党委", "GW"),
                                                   row(5, "A", "甲局机关党委", "A-1")])
    text, = messages(exc)
    assert text.startswith("第5行：") and "循环" in text and "A → A-1 → A" in text
    session.rollback()
    assert dump(session) == before


def test_import_root_under_its_descendant_is_refused(session, w):
    with pytest.raises(ImportFailed) as exc:
        svc.apply_org_import(session, w["admin"], [row(2, "GW", "机关工委", "A-1")])
    assert "GW → A-1 → A → GW" in messages(exc)[0]


@pytest.mark.parametrize("who", ["assessor", "leader", "unit_a", "clerk"])
def test_import_needs_admin(session, w, who):
    with pytest.raises(PermissionDenied):
        svc.apply_org_import(session, w[who], [row(2, "N", "新", "GW")])


def test_import_by_scoped_admin_stays_in_scope(session, w, make):
    admin_a = make.user("admin_a", "admin", w["a"])
    rows = [row(2, "A-2", "甲局第二党支部", "A"), row(3, "B", "乙局", "GW"),
            row(4, "B-1", "乙局支部", "B"), row(5, "X", "顶级", None), row(6, "A-1", "甲局一支部", "B")]
    with pytest.raises(ImportFailed) as exc:
        svc.apply_org_import(session, admin_a, rows)
    assert messages(exc) == [
        "第3行：组织“B”不在您的管理范围内，不能修改",
        "第4行：上级编码“B”不在您的管理范围内",
        "第5行：新组织“X”必须填写上级编码（上级须在您的管理范围内）",
        "第6行：上级编码“B”不在您的管理范围内",
    ]
    summary = svc.apply_org_import(session, admin_a, [row(2, "A-2", "甲局第二党支部", "A"),
                                                      row(3, "A", "甲局机关党委", "GW")])
    assert (summary.created, summary.unchanged) == (1, 1)  # own root with its unchanged parent: fine


def test_import_kind_longer_than_column_is_refused(session, w):
    with pytest.raises(ImportFailed) as exc:
        svc.apply_org_import(session, w["admin"], [row(7, "N", "新", "GW", kind="类" * 21)])
    assert messages(exc) == ["第7行：组织类型“" + "类" * 21 + "”超过20个字符（当前21个）"]


def test_import_from_cli_actor_none_may_create_top_level(session, w):
    summary = svc.apply_org_import(session, None, [row(2, "Z", "另一工委")])
    assert summary.created == 1 and org_by_code(session, "Z").path == p(org_by_code(session, "Z"))
    assert audits(session, "organisation", "create")[0].user_id is None


def test_import_end_to_end_from_a_workbook(session, w):
    data = org_xlsx([("C-1", "丙支部", "C", None, None, "党支部"), ("C", "丙党委", "GW", "国有企业", None, None)])
    rows = parse_orgs(data, ["GW", "A", "A-1", "B"])
    summary = svc.apply_org_import(session, w["admin"], rows)
    assert summary.created == 2
    assert org_by_code(session, "C-1").is_within(org_by_code(session, "C"))


# ----------------------------------------------------------------------------- update_org

def edit(session, actor, org, **kw):
    args = {"name": org.name, "parent_code": org.parent.code if org.parent else "",
            "category": org.category.name if org.category else "",
            "group": org.group.name if org.group else "", "kind": org.kind or "", "active": org.active}
    args.update(kw)
    return svc.update_org(session, actor, org, **args)


def test_update_org_changes_fields_and_audits(session, w):
    changes = edit(session, w["admin"], w["a"], name="甲局党委", category="党政机关", group="", kind="党委")
    assert changes == {"name": ("甲局机关党委", "甲局党委"), "category": ("机关", "党政机关"),
                       "group": ("第一片组", None), "kind": (None, "党委")}
    entry, = audits(session, "organisation", "update")
    assert entry.new["category"] == "党政机关" and entry.old["group"] == "第一片组"
    assert svc.describe_changes({"active": (True, False)}) == "状态：启用 → 停用"
    assert edit(session, w["admin"], w["a"]) == {}


def test_update_org_reparent_rewrites_subtree(session, w):
    edit(session, w["admin"], w["a"], parent_code="B")
    session.commit()
    session.expire_all()
    a1 = org_by_code(session, "A-1")
    assert a1.path == p(w["root"], w["b"], w["a"], a1)


@pytest.mark.parametrize("code, message", [
    ("A-1", "上级编码“A-1”是本组织自身或其下级，不能形成循环"),
    ("A", "上级编码“A”是本组织自身或其下级，不能形成循环"),
    ("NOPE", "上级编码“NOPE”不存在"),
    ("", "上级编码不能为空：组织必须位于您管理范围内的某个上级组织之下"),
])
def test_update_org_refuses_bad_parent(session, w, code, message):
    with pytest.raises(ServiceError) as exc:
        edit(session, w["admin"], w["a"], parent_code=code)
    assert exc.value.message == message and exc.value.field == "parent_code"


def test_update_org_validates_fields(session, w):
    with pytest.raises(ServiceError) as exc:
        edit(session, w["admin"], w["a"], name="  ")
    assert (exc.value.message, exc.value.field) == ("名称不能为空", "name")
    with pytest.raises(ServiceError) as exc:
        edit(session, w["admin"], w["a"], kind="x" * 21)
    assert exc.value.field == "kind" and "20" in exc.value.message


def test_update_org_scope_and_role(session, w, make):
    admin_a = make.user("admin_a", "admin", w["a"])
    with pytest.raises(PermissionDenied):
        edit(session, admin_a, w["b"], name="乙")
    with pytest.raises(ServiceError) as exc:
        edit(session, admin_a, w["a1"], parent_code="B")
    assert exc.value.message == "上级编码“B”不在您的管理范围内"
    assert edit(session, admin_a, w["a"], name="甲")  # own root keeps its (out-of-scope) parent
    with pytest.raises(PermissionDenied):
        edit(session, w["assessor"], w["a"], name="甲")


# ----------------------------------------------------------------------------- tree, lists

def test_org_tree_and_counts(session, w):
    tree = svc.org_tree(session, w["root"])
    assert [n.org.code for n in tree.walk()] == ["GW", "A", "A-1", "B"]
    cats, grps = svc.tree_counts(tree)
    assert cats == [("机关", 2), ("（未设类别）", 2)]
    assert grps == [("第一片组", 2), ("（未设片组）", 2)]
    sub = svc.org_tree(session, w["a"])
    assert [n.org.code for n in sub.walk()] == ["A", "A-1"]
    assert [c.name for c in svc.categories(session)] == ["机关"]
    assert [g.name for g in svc.groups(session)] == ["第一片组"]
    assert [o.code for o in svc.ancestors(w["a1"], w["root"])] == ["GW", "A"]
    assert svc.ancestors(w["b"], w["a"]) == []


# ----------------------------------------------------------------------------- accounts

def test_set_user_active(session, w, make):
    assert accounts.set_user_active(session, w["admin"], w["unit_b"], False) is True
    assert accounts.set_user_active(session, w["admin"], w["unit_b"], False) is False
    entry, = audits(session, "user", "deactivate")
    assert entry.old["active"] is True and entry.new == {"username": "unit_b", "active": False}
    with pytest.raises(ServiceError) as exc:
        accounts.set_user_active(session, w["admin"], w["admin"], False)
    assert exc.value.message == "不能停用自己的账号"
    admin_a = make.user("admin_a", "admin", w["a"])
    with pytest.raises(PermissionDenied):
        accounts.set_user_active(session, admin_a, w["unit_b"], True)
    with pytest.raises(PermissionDenied):
        accounts.set_user_active(session, w["assessor"], w["unit_a"], False)
