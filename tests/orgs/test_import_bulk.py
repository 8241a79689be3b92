"""The bulk organisation import (Core INSERT … RETURNING for new organisations, executemany
UPDATEs for paths and changed ones) gives exactly what the former one-object-at-a-time ORM
import gave: the expected values below were recorded from that implementation.
Runs on SQLite and, with SCORECARD_TEST_PG, on PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from scorecard.importers.common import ImportFailed
from scorecard.importers.orgs import parse_orgs
from scorecard.models import AuditEntry, Category, Organisation, OrgGroup
from scorecard.services.orgs import tree as svc
from tests.orgs.helpers import dump, org_xlsx

# new + changed + moved + unchanged in one file, children listed before their parents
SHEET = [
    ("N-1-1", "新设第一支部小组", "N-1", None, None, "党小组"),
    ("N-1", "新设第一支部", "N", "机关", None, "党支部"),
    ("N", "新设党委", "GW", "新类别", "第三片组", "党委"),
    ("A", "甲局党委", "N", None, "第二片组", None),             # renamed, regrouped, moved under a new org
    ("Q", "新支部", "A-1", "新类别", None, None),                # new, under a branch whose ancestor moves
    ("B", "乙局机关党委", "Q", None, None, "机关党委"),          # moved under a new org, kind set
    ("B-2", "乙局第二支部", "B", "另一新类别", "第一片组", None),  # new under a moved org
    ("C", "丙局机关党委", "GW", "机关", "第一片组", None),        # unchanged
    ("D", "丁局党委", None, "新类别", None, None),                # blank parent keeps GW; category changes
]
EXISTING = ["GW", "A", "A-1", "B", "B-1", "C", "D"]

EXPECTED_ORGS = {  # code: (name, kind, parent, category, group, active, path as codes)
    "GW": ("机关工委", "党工委", None, None, None, True, "GW"),
    "A": ("甲局党委", None, "N", "机关", "第二片组", True, "GW/N/A"),
    "A-1": ("甲局第一党支部", "党支部", "A", None, None, True, "GW/N/A/A-1"),
    "B": ("乙局机关党委", "机关党委", "Q", "机关", "第一片组", True, "GW/N/A/A-1/Q/B"),
    "B-1": ("乙局第一支部", None, "B", None, None, True, "GW/N/A/A-1/Q/B/B-1"),
    "C": ("丙局机关党委", None, "GW", "机关", "第一片组", True, "GW/C"),
    "D": ("丁局党委", None, "GW", "新类别", None, True, "GW/D"),
    "N": ("新设党委", "党委", "GW", "新类别", "第三片组", True, "GW/N"),
    "N-1": ("新设第一支部", "党支部", "N", "机关", None, True, "GW/N/N-1"),
    "N-1-1": ("新设第一支部小组", "党小组", "N-1", None, None, True, "GW/N/N-1/N-1-1"),
    "Q": ("新支部", None, "A-1", "新类别", None, True, "GW/N/A/A-1/Q"),
    "B-2": ("乙局第二支部", None, "B", "另一新类别", "第一片组", True, "GW/N/A/A-1/Q/B/B-2"),
}
EXPECTED_AUDIT = [  # (action, code, old, new) in file order (parents first), reason 组织导入
    ("create", "N", None, {"code": "N", "name": "新设党委", "parent": "GW", "category": "新类别",
                           "group": "第三片组", "kind": "党委", "active": True}),
    ("create", "N-1", None, {"code": "N-1", "name": "新设第一支部", "parent": "N", "category": "机关",
                             "group": None, "kind": "党支部", "active": True}),
    ("create", "N-1-1", None, {"code": "N-1-1", "name": "新设第一支部小组", "parent": "N-1", "category": None,
                               "group": None, "kind": "党小组", "active": True}),
    ("update", "A", {"code": "A", "name": "甲局机关党委", "parent": "GW", "group": "第一片组"},
     {"code": "A", "name": "甲局党委", "parent": "N", "group": "第二片组"}),
    ("create", "Q", None, {"code": "Q", "name": "新支部", "parent": "A-1", "category": "新类别",
                           "group": None, "kind": None, "active": True}),
    ("update", "B", {"code": "B", "parent": "GW", "kind": None}, {"code": "B", "parent": "Q", "kind": "机关党委"}),
    ("create", "B-2", None, {"code": "B-2", "name": "乙局第二支部", "parent": "B", "category": "另一新类别",
                             "group": "第一片组", "kind": None, "active": True}),
    ("update", "D", {"code": "D", "category": None}, {"code": "D", "category": "新类别"}),
]
EXPECTED_DETAILS = [
    "第4行：新建组织“N 新设党委”",
    "第3行：新建组织“N-1 新设第一支部”",
    "第2行：新建组织“N-1-1 新设第一支部小组”",
    "第5行：更新组织“A”：名称：甲局机关党委 → 甲局党委；上级编码：GW → N；片组：第一片组 → 第二片组",
    "第6行：新建组织“Q 新支部”",
    "第7行：更新组织“B”：上级编码：GW → Q；组织类型：（空） → 机关党委",
    "第8行：新建组织“B-2 乙局第二支部”",
    "第10行：更新组织“D”：类别：（空） → 新类别",
    "新建类别“新类别”",
    "新建类别“另一新类别”",
    "新建片组“第三片组”",
    "新建片组“第二片组”",
]


@pytest.fixture
def w(make, session):
    world = make.world()
    world["b1"] = make.org("B-1", "乙局第一支部", world["b"])
    world["c"] = make.org("C", "丙局机关党委", world["root"], "机关", "第一片组")
    world["d"] = make.org("D", "丁局党委", world["root"])
    session.commit()
    return world


def state(session) -> dict:
    orgs = {o.id: o for o in session.scalars(select(Organisation))}
    code = {o.id: o.code for o in orgs.values()}
    result = {}
    for o in orgs.values():
        assert o.path == (o.parent.path if o.parent else "/") + f"{o.id}/", o.code
        result[o.code] = (o.name, o.kind, o.parent.code if o.parent else None,
                          o.category.name if o.category else None, o.group.name if o.group else None,
                          o.active, "/".join(code[int(i)] for i in o.path.strip("/").split("/")))
    return result


def test_bulk_import_matches_the_former_orm_import(session, w):
    rows = parse_orgs(org_xlsx(SHEET), EXISTING)
    summary = svc.apply_org_import(session, w["admin"], rows)
    assert (summary.created, summary.updated, summary.unchanged) == (5, 3, 1)
    assert summary.details == EXPECTED_DETAILS
    # objects the session already held are fresh without an expire (paths and relationships)
    assert w["a1"].path.count("/") == 5 and w["b1"].path.count("/") == 8
    assert w["a"].parent.code == "N" and w["b"].parent.code == "Q" and w["d"].category.name == "新类别"
    assert w["b1"].is_within(w["a"]) and w["b"].kind == "机关党委"
    session.commit()
    session.expire_all()
    assert state(session) == EXPECTED_ORGS

    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "organisation")
                              .order_by(AuditEntry.id)).all()
    code = dict(session.execute(select(Organisation.id, Organisation.code)).all())
    assert [(e.action, code[e.entity_id], e.old, e.new) for e in entries] == EXPECTED_AUDIT
    assert {(e.user_id, e.reason) for e in entries} == {(w["admin"].id, "组织导入")}

    # new organisations get ids in file order (parents first), as one ORM flush gave them
    new_ids = [code_id for code_id, c in sorted(code.items()) if c in ("N", "N-1", "N-1-1", "Q", "B-2")]
    assert [code[i] for i in new_ids] == ["N", "N-1", "N-1-1", "Q", "B-2"]
    assert session.scalars(select(Category.name).order_by(Category.id)).all()[-2:] == ["新类别", "另一新类别"]
    assert session.scalars(select(OrgGroup.name).order_by(OrgGroup.id)).all()[-2:] == ["第三片组", "第二片组"]

    # importing the same sheet again changes nothing
    again = svc.apply_org_import(session, w["admin"], parse_orgs(org_xlsx(SHEET), list(code.values())))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 9)
    session.commit()
    session.expire_all()
    assert state(session) == EXPECTED_ORGS


def test_bulk_import_failure_after_checks_leaves_nothing(session, w):
    """A row refused by the service (kind too long) stops the whole file, new rows included."""
    before = dump(session)
    bad = [*SHEET[:-1], ("D", "丁局党委", None, None, None, "类" * 21)]
    with pytest.raises(ImportFailed) as exc:
        svc.apply_org_import(session, w["admin"], parse_orgs(org_xlsx(bad), EXISTING))
    assert [str(i) for i in exc.value.issues] == ["第10行：组织类型“" + "类" * 21 + "”超过20个字符（当前21个）"]
    session.rollback()
    assert dump(session) == before


def test_bulk_import_many_rows_over_several_levels(session, w):
    """Hundreds of new organisations three levels deep plus moved existing ones in one go."""
    sheet = [(f"L1-{i}", f"一级{i}", "GW", f"类{i % 3}", None, None) for i in range(40)]
    sheet += [(f"L2-{i}", f"二级{i}", f"L1-{i % 40}", None, f"片{i % 4}", "党支部") for i in range(200)]
    sheet += [(f"L3-{i}", f"三级{i}", f"L2-{i % 200}", None, None, None) for i in range(400)]
    sheet += [("A", "甲局机关党委", "L3-7"), ("B", "乙局机关党委", "L2-3")]
    summary = svc.apply_org_import(session, w["admin"], parse_orgs(org_xlsx(sheet[::-1]), EXISTING))
    assert (summary.created, summary.updated) == (640, 2)
    session.commit()
    session.expire_all()
    got = state(session)
    assert got["L3-7"][6] == "GW/L1-7/L2-7/L3-7" and got["A-1"][6] == "GW/L1-7/L2-7/L3-7/A/A-1"
    assert got["B-1"][6] == "GW/L1-3/L2-3/B/B-1" and got["L2-5"][3:5] == (None, "片1")
    assert got["L1-4"][3] == "类1"
    assert len(session.scalars(select(AuditEntry).where(AuditEntry.entity == "organisation")).all()) == 642


def test_bulk_import_new_top_level_tree_from_the_command_line(session, w):
    """actor None: a new root with a new child, an existing org moved under the child and a new
    org under that moved one; then the same objects read fresh."""
    rows = parse_orgs(org_xlsx([("Z-1", "新二级", "Z"), ("Z", "另一工委", None, None, None, "党工委"),
                                ("B", "乙局机关党委", "Z-1"), ("B-3", "乙局第三支部", "B")]), EXISTING)
    summary = svc.apply_org_import(session, None, rows)
    assert (summary.created, summary.updated, summary.unchanged) == (3, 1, 0)
    assert w["b"].parent.code == "Z-1" and w["b1"].path.startswith(w["b"].path)
    session.commit()
    session.expire_all()
    got = state(session)
    assert got["Z"][2:] == (None, None, None, True, "Z") and got["Z-1"][6] == "Z/Z-1"
    assert got["B"][6] == "Z/Z-1/B" and got["B-1"][6] == "Z/Z-1/B/B-1" and got["B-3"][6] == "Z/Z-1/B/B-3"
    created = session.scalars(select(AuditEntry).where(AuditEntry.action == "create",
                                                       AuditEntry.entity == "organisation")).all()
    assert {e.user_id for e in created} == {None} and [e.new["code"] for e in created] == ["Z", "Z-1", "B-3"]
