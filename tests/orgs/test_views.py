"""Organisation pages: tree, detail, edit, import, template download, CSRF."""
from __future__ import annotations

import io
import re

import pytest

from scorecard.importers.orgs import parse_orgs
from tests.conftest import login
from tests.orgs.helpers import audits, dump, org_by_code, org_xlsx

OTHER_ROLES = ["assessor", "leader", "unit_a", "clerk"]


@pytest.fixture
def w(make, session):
    world = make.world()
    session.commit()
    return world


def upload(client, data: bytes, name="组织.xlsx", dry_run=False):
    form = {"file": (io.BytesIO(data), name)}
    if dry_run:
        form["dry_run"] = "y"
    return client.post("/orgs/import", data=form, content_type="multipart/form-data")


def test_pages_need_login(client, w):
    for url in ["/orgs/", f"/orgs/{w['a'].id}", f"/orgs/{w['a'].id}/edit", "/orgs/import",
                "/orgs/template.xlsx"]:
        resp = client.get(url)
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login"), url


def test_admin_sees_whole_tree_with_counts(client, w):
    login(client, "admin")
    html = client.get("/orgs/").get_data(as_text=True)
    for text in ["机关工委", "甲局机关党委", "甲局第一党支部", "乙局机关党委", "<details", "党支部",
                 "类别：机关", "片组：第一片组", "导入组织"]:
        assert text in html, text
    counts = re.search(r'id="count-category".*?</table>', html, re.S).group(0)
    assert "<td>机关</td><td class=\"num\">2</td>" in counts
    groups = re.search(r'id="count-group".*?</table>', html, re.S).group(0)
    assert "<td>第一片组</td><td class=\"num\">2</td>" in groups


def test_unit_sees_only_its_subtree_and_gets_403_elsewhere(client, w):
    login(client, "unit_a")
    html = client.get("/orgs/").get_data(as_text=True)
    assert "甲局机关党委" in html and "甲局第一党支部" in html
    assert "乙局机关党委" not in html and "机关工委" not in html.split("<main", 1)[1].split("组织树")[1]
    assert "导入组织" not in html
    assert client.get(f"/orgs/{w['b'].id}").status_code == 403
    assert client.get(f"/orgs/{w['root'].id}").status_code == 403
    detail = client.get(f"/orgs/{w['a1'].id}")
    assert detail.status_code == 200 and "甲局第一党支部" in detail.get_data(as_text=True)
    assert "编辑" not in detail.get_data(as_text=True)
    assert client.get("/orgs/99999").status_code == 404


def test_admin_detail_page(client, w):
    login(client, "admin")
    html = client.get(f"/orgs/{w['a'].id}").get_data(as_text=True)
    for text in ["A", "甲局机关党委", "机关工委", "甲局第一党支部", "第一片组", "编辑", "unit_a", "填报员"]:
        assert text in html, text


@pytest.mark.parametrize("who", OTHER_ROLES)
def test_other_roles_cannot_edit_or_import(client, w, who):
    login(client, who)
    a = w["a"].id
    assert client.get(f"/orgs/{a}/edit").status_code == 403
    assert client.post(f"/orgs/{a}/edit", data={"name": "x"}).status_code == 403
    assert client.get("/orgs/import").status_code == 403
    assert upload(client, org_xlsx([("N", "新", "GW")])).status_code == 403
    assert client.get("/orgs/template.xlsx").status_code == 403


def test_scoped_admin_cannot_edit_outside_scope(client, session, make, w):
    make.user("admin_a", "admin", w["a"])
    session.commit()
    login(client, "admin_a")
    assert client.get(f"/orgs/{w['b'].id}/edit").status_code == 403
    assert client.get(f"/orgs/{w['a1'].id}/edit").status_code == 200


def test_edit_saves_and_audits(client, session, w):
    login(client, "admin")
    form = client.get(f"/orgs/{w['a'].id}/edit").get_data(as_text=True)
    assert 'value="甲局机关党委"' in form and 'value="GW"' in form and 'list="category-options"' in form
    resp = client.post(f"/orgs/{w['a'].id}/edit", data={
        "name": "甲局党委", "parent_code": "B", "category": "党政机关", "group": "第一片组",
        "kind": "党委", "active": "y"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "已保存：名称：甲局机关党委 → 甲局党委" in html
    session.expire_all()
    a, a1, b = org_by_code(session, "A"), org_by_code(session, "A-1"), org_by_code(session, "B")
    assert a.name == "甲局党委" and a.category.name == "党政机关" and a.parent_id == b.id
    assert a1.is_within(b)
    assert audits(session, "organisation", "update")[0].user_id == w["admin"].id


def test_edit_refuses_cycle_with_field_error(client, session, w):
    login(client, "admin")
    before = dump(session)
    resp = client.post(f"/orgs/{w['a'].id}/edit", data={"name": "甲局机关党委", "parent_code": "A-1",
                                                         "active": "y"})
    assert resp.status_code == 200
    assert "上级编码“A-1”是本组织自身或其下级，不能形成循环" in resp.get_data(as_text=True)
    assert dump(session) == before
    resp = client.post(f"/orgs/{w['a'].id}/edit", data={"name": "", "parent_code": "GW"})
    assert "请填写名称" in resp.get_data(as_text=True)


def test_import_page_and_template_download(client, w):
    login(client, "admin")
    html = client.get("/orgs/import").get_data(as_text=True)
    assert "仅检查（试运行）" in html and "下载模板" in html and 'enctype="multipart/form-data"' in html
    resp = client.get("/orgs/template.xlsx")
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    rows = parse_orgs(resp.data, ["GW"])
    assert [(r.code, r.parent_code, r.category, r.group, r.kind) for r in rows] == [
        ("GW-01", "GW", "党政机关", "第一片组", "机关党委")]


def test_import_errors_are_listed_and_nothing_is_written(client, session, w):
    login(client, "admin")
    before = dump(session)
    data = org_xlsx([("C", "丙医院党委", "GW"), ("D", None, "GW"), ("E", "戊", "NOPE")])
    resp = upload(client, data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "导入未执行，数据库未作任何修改" in html
    assert "第3行B列：名称不能为空" in html and "第4行C列：上级编码“NOPE”不存在" in html
    assert dump(session) == before


def test_import_service_errors_are_listed_too(client, session, w):
    login(client, "admin")
    before = dump(session)
    resp = upload(client, org_xlsx([("A", "甲局机关党委", "A-1")]))
    assert "第2行：上级编码“A-1”会形成循环（A → A-1 → A）" in resp.get_data(as_text=True)
    assert dump(session) == before


def test_import_rejects_non_xlsx(client, session, w):
    login(client, "admin")
    resp = upload(client, b"a,b\n", name="orgs.csv")
    assert "只能上传.xlsx格式的Excel文件" in resp.get_data(as_text=True)
    resp = upload(client, b"not a zip", name="orgs.xlsx")
    assert "不是有效的Excel工作簿" in resp.get_data(as_text=True)
    resp = client.post("/orgs/import", data={}, content_type="multipart/form-data")
    assert "请选择要上传的Excel文件" in resp.get_data(as_text=True)


def test_import_dry_run_writes_nothing(client, session, w):
    login(client, "admin")
    before = dump(session)
    resp = upload(client, org_xlsx([("C", "丙医院党委", "GW", "医疗卫生")]), dry_run=True)
    html = resp.get_data(as_text=True)
    assert "试运行（未写入数据库），导入后将：新建1个组织，更新0个，0个无变化" in html
    assert "第2行：新建组织“C 丙医院党委”" in html
    assert dump(session) == before


def test_import_success(client, session, w):
    login(client, "admin")
    data = org_xlsx([("C", "丙医院党委", "GW", "医疗卫生", "第二片组", "党委"), ("B", "乙局党委", "GW")])
    html = upload(client, data).get_data(as_text=True)
    assert "组织导入完成：新建1个组织，更新1个，0个无变化" in html
    session.expire_all()
    assert org_by_code(session, "C").category.name == "医疗卫生"
    assert org_by_code(session, "B").name == "乙局党委"
    assert len(audits(session, "organisation")) == 2
    assert "丙医院党委" in client.get("/orgs/").get_data(as_text=True)


def test_csrf_token_is_required(app, client, session, w):
    login(client, "admin")
    app.config["WTF_CSRF_ENABLED"] = True
    before = dump(session)
    resp = client.post(f"/orgs/{w['a'].id}/edit", data={"name": "改名", "parent_code": "GW"})
    assert resp.status_code == 400 and "页面已过期" in resp.get_data(as_text=True)
    assert upload(client, org_xlsx([("C", "丙", "GW")])).status_code == 400
    assert dump(session) == before
    page = client.get(f"/orgs/{w['a'].id}/edit").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    resp = client.post(f"/orgs/{w['a'].id}/edit", data={"csrf_token": token, "name": "改名",
                                                         "parent_code": "GW", "active": "y"})
    assert resp.status_code == 302
