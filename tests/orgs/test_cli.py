"""`scorecard import orgs FILE.xlsx [--dry-run]`."""
from __future__ import annotations

import pytest

from tests.orgs.helpers import Cli, audits, dump, org_by_code, org_xlsx


@pytest.fixture
def w(make, session):
    world = make.world()
    session.commit()
    return world


@pytest.fixture
def cli(monkeypatch, db_url, tmp_path):
    return Cli(monkeypatch, db_url, tmp_path / "cli-instance")


@pytest.fixture
def xlsx(tmp_path):
    def write(rows, name="组织.xlsx") -> str:
        path = tmp_path / name
        path.write_bytes(org_xlsx(rows))
        return str(path)
    return write


def test_import_creates_and_updates(cli, xlsx, session, w):
    path = xlsx([("GW", "机关工委", None, None, None, "党工委"),
                 ("A", "甲局党委", "GW", "机关", "第一片组", None),
                 ("C", "丙医院党委", "GW", "医疗卫生", "第二片组", "党委"),
                 ("C-1", "丙医院第一党支部", "C", None, None, "党支部")])
    result = cli("import", "orgs", path)
    assert result.exit_code == 0, result.output
    assert "组织导入完成：新建2个组织，更新1个，1个无变化" in result.output
    assert "第3行：更新组织“A”：名称：甲局机关党委 → 甲局党委" in result.output
    session.expire_all()
    c1 = org_by_code(session, "C-1")
    assert c1 is not None and c1.is_within(org_by_code(session, "C"))
    assert org_by_code(session, "A").name == "甲局党委"
    assert len(audits(session, "organisation")) == 3
    again = cli("import", "orgs", path)
    assert "新建0个组织，更新0个，4个无变化" in again.output


def test_import_with_errors_exits_1_lists_every_issue_and_writes_nothing(cli, xlsx, session, w):
    before = dump(session)
    path = xlsx([("C", "丙医院党委", "GW", "医疗卫生", None, None),   # row 2: fine
                 ("D", None, "GW", None, None, None),                # row 3: no name
                 ("E", "戊单位", "NOPE", None, None, None),           # row 4: unknown parent
                 ("C", "重复", "GW", None, None, None)])              # row 5: duplicate code
    result = cli("import", "orgs", path)
    assert result.exit_code == 1
    out = result.output
    assert "导入失败，共3处问题，数据库未作任何修改" in out
    assert "第3行B列：名称不能为空" in out
    assert "第4行C列：上级编码“NOPE”不存在" in out
    assert "第5行A列：组织编码重复（与第2行相同）" in out
    assert dump(session) == before


def test_import_cycle_with_existing_data_exits_1_and_writes_nothing(cli, xlsx, session, w):
    before = dump(session)
    path = xlsx([("N", "新设党委", "GW", None, None, None), ("A", "甲局机关党委", "A-1", None, None, None)])
    result = cli("import", "orgs", path)
    assert result.exit_code == 1
    assert "第3行：上级编码“A-1”会形成循环（A → A-1 → A）" in result.output
    assert dump(session) == before


def test_dry_run_reports_but_writes_nothing(cli, xlsx, session, w):
    before = dump(session)
    path = xlsx([("C", "丙医院党委", "GW", "医疗卫生", None, None), ("A", "甲局机关党委", "B", None, None, None)])
    result = cli("import", "orgs", path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "试运行（未写入数据库），导入后将：新建1个组织，更新1个，0个无变化" in result.output
    assert "上级编码：GW → B" in result.output
    assert "（试运行：未写入数据库）" in result.output
    assert dump(session) == before


def test_not_a_workbook_exits_1(cli, tmp_path, session, w):
    path = tmp_path / "orgs.xlsx"
    path.write_text("编码,名称\nX,某单位\n", encoding="utf-8")
    before = dump(session)
    result = cli("import", "orgs", str(path))
    assert result.exit_code == 1
    assert "不是有效的Excel工作簿" in result.output
    assert dump(session) == before


def test_import_into_an_empty_database(cli, xlsx, session):
    path = xlsx([("GW", "机关工委", None, None, None, "党工委"), ("A", "甲局", "GW", "机关", None, None)])
    result = cli("import", "orgs", path)
    assert result.exit_code == 0, result.output
    session.expire_all()
    gw, a = org_by_code(session, "GW"), org_by_code(session, "A")
    assert gw.path == f"/{gw.id}/" and a.path == f"/{gw.id}/{a.id}/"
