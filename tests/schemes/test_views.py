"""The scheme pages: who sees what, every GET page, the edit flows, import errors."""
from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from scorecard.models import Scheme
from scorecard.services.schemes import lifecycle as schemes
from tests.conftest import login

from .helpers import DEMO, audits, counts, template_rows, workbook


def text(resp) -> str:
    return resp.get_data(as_text=True)


def pages(scheme: Scheme) -> list[str]:
    sid, ind, item, tier = scheme.id, scheme.indicators[1].id, scheme.items[0].id, scheme.tiers[0].id
    return [f"/schemes/{sid}/settings", f"/schemes/{sid}/indicators/new",
            f"/schemes/{sid}/indicators/new?parent={scheme.indicators[0].id}",
            f"/schemes/{sid}/indicators/{ind}/edit", f"/schemes/{sid}/items/new", f"/schemes/{sid}/items/{item}/edit",
            f"/schemes/{sid}/tiers/new", f"/schemes/{sid}/tiers/{tier}/edit",
            f"/schemes/{sid}/indicators/{ind}/delete", f"/schemes/{sid}/items/{item}/delete",
            f"/schemes/{sid}/tiers/{tier}/delete", "/schemes/import"]


@pytest.mark.parametrize("role", ["admin", "assessor"])
def test_managers_get_every_page(client, session, w, draft, role):
    login(client, role)
    for url in ["/schemes/", f"/schemes/{draft.id}", f"/schemes/{draft.id}/diff", *pages(draft)]:
        resp = client.get(url)
        assert resp.status_code == 200, url
    show = text(client.get(f"/schemes/{draft.id}"))
    for fragment in ("发布前检查", "检查通过", "创建新版本", "修改设置", "第一议题", "每次=2", "档次",
                     "学习记录", "基层负担", "获得表彰", "较好", "新增加减分项"):
        assert fragment in show, fragment
    assert "style=" not in show and "<script" not in show


def test_leader_reads_but_cannot_edit(client, session, w, draft):
    login(client, "leader")
    for url in ["/schemes/", f"/schemes/{draft.id}", f"/schemes/{draft.id}/diff", "/schemes/template.xlsx"]:
        assert client.get(url).status_code == 200, url
    show = text(client.get(f"/schemes/{draft.id}"))
    assert "第一议题" in show and "修改设置" not in show and "创建新版本" not in show and "导入方案" not in show
    for url in pages(draft):
        assert client.get(url).status_code == 403, url
    for url in (f"/schemes/{draft.id}/publish", f"/schemes/{draft.id}/new-version",
                f"/schemes/{draft.id}/settings", f"/schemes/{draft.id}/items/{draft.items[0].id}/delete"):
        assert client.post(url, data={"name": "x"}).status_code == 403, url
    session.expire_all()
    assert session.get(Scheme, draft.id).status == "draft"


@pytest.mark.parametrize("role", ["unit_a", "clerk"])
def test_units_and_clerks_get_403(client, session, w, draft, role):
    login(client, role)
    for url in ["/schemes/", f"/schemes/{draft.id}", f"/schemes/{draft.id}/diff", "/schemes/template.xlsx",
                *pages(draft)]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/schemes/{draft.id}/publish").status_code == 403


def test_anonymous_is_sent_to_login(client, draft):
    resp = client.get(f"/schemes/{draft.id}")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_index_groups_versions_by_family(client, session, w, draft):
    schemes.publish(session, w["assessor"], draft)
    schemes.new_version(session, w["assessor"], draft)
    session.commit()
    login(client, "assessor")
    page = text(client.get("/schemes/"))
    assert page.count("<strong>S1</strong>") == 1
    assert "第2版" in page and "第1版" in page and "草稿" in page and "已发布" in page
    assert "与上一版本比较" in page


def test_import_flow(client, session, w):
    login(client, "assessor")
    resp = client.post("/schemes/import", data={"file": (io.BytesIO(DEMO.read_bytes()), "方案.xlsx"),
                                                "code": "CJ", "name": "", "year": "2025"},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    session.expire_all()
    scheme = schemes.by_code(session, "CJ")
    assert scheme.name == "2025年度州直机关党建考核细则（示例数据）" and scheme.status == "draft"
    assert audits(session, "scheme", "import")[-1].user_id == w["assessor"].id
    page = text(client.get(resp.headers["Location"]))
    assert "已导入方案 CJ 第1版" in page and "检查通过" in page


def test_import_errors_list_every_issue_and_write_nothing(client, session, w, draft):
    before = counts(session)
    bad = workbook({"指标": template_rows(extra=[["1.1", "1", "重复", "十分"], ["3", "", "", 5]])})
    login(client, "assessor")
    resp = client.post("/schemes/import", data={"file": (io.BytesIO(bad), "bad.xlsx"), "code": "S1",
                                                "name": "坏", "year": "2025"},
                       content_type="multipart/form-data")
    page = text(resp)
    assert resp.status_code == 200
    assert "导入未执行，数据库未作任何修改" in page
    assert "第7行" in page and "第8行" in page and "指标编码重复" in page and "分值“十分”不是有效的数字" in page
    assert counts(session) == before


def test_import_form_errors(client, session, w):
    before = counts(session)
    login(client, "assessor")
    resp = client.post("/schemes/import", data={"file": (io.BytesIO(DEMO.read_bytes()), "a.xlsx"),
                                                "code": "A B", "name": "x", "year": "2025"},
                       content_type="multipart/form-data")
    assert resp.status_code == 200 and "不能含空格" in text(resp)
    resp = client.post("/schemes/import", data={"code": "A", "year": "2025"}, content_type="multipart/form-data")
    assert "请选择要导入的Excel文件" in text(resp)
    resp = client.post("/schemes/import", data={"file": (io.BytesIO(b"not a zip"), "a.xlsx"), "code": "A",
                                                "year": "2025"}, content_type="multipart/form-data")
    assert "不是有效的Excel工作簿" in text(resp)
    assert counts(session) == before


def test_publish_refused_then_ok(client, session, w, draft):
    login(client, "assessor")
    resp = client.post(f"/schemes/{draft.id}/settings", data={
        "name": draft.name, "year": "2025", "full_marks": "120", "bonus_cap": "", "veto_cap": "",
        "tie_break": "", "categories": ["机关"]})
    assert resp.status_code == 302
    page = text(client.post(f"/schemes/{draft.id}/publish", follow_redirects=True))
    assert "未发布：方案未通过发布前检查" in page and "一级指标分值合计 100.00 ≠ 满分 120.00" in page
    session.expire_all()
    assert session.get(Scheme, draft.id).status == "draft"
    client.post(f"/schemes/{draft.id}/settings", data={"name": draft.name, "year": "2025", "full_marks": "100",
                                                        "categories": ["机关"], "veto_cap": ""})
    page = text(client.post(f"/schemes/{draft.id}/publish", follow_redirects=True))
    assert "已发布" in page and "内容不能再修改" in page
    session.expire_all()
    assert session.get(Scheme, draft.id).status == "published"
    # a published scheme's edit pages send the user back with the rule
    resp = client.get(f"/schemes/{draft.id}/settings", follow_redirects=True)
    assert "已发布的方案不能修改，请创建新版本" in text(resp)
    resp = client.post(f"/schemes/{draft.id}/tiers/{draft.tiers[0].id}/delete", follow_redirects=True)
    assert "已发布的方案不能修改，请创建新版本" in text(resp)
    session.expire_all()
    assert len(session.get(Scheme, draft.id).tiers) == 4


def test_new_version_and_diff_pages(client, session, w, draft):
    schemes.publish(session, w["assessor"], draft)
    session.commit()
    login(client, "assessor")
    resp = client.post(f"/schemes/{draft.id}/new-version")
    assert resp.status_code == 302
    session.expire_all()
    v2 = schemes.by_code(session, "S1")
    assert v2.version == 2 and resp.headers["Location"].endswith(f"/schemes/{v2.id}")
    ind = v2.indicators[1]
    resp = client.post(f"/schemes/{v2.id}/indicators/{ind.id}/edit", data={
        "code": "1.1", "name": "第一议题制度", "max_points": "40", "content": "", "rule_text": "",
        "methods": "日常考核", "evidence_hint": "", "rule_type": "deduct", "params_text": "范围=1-3"})
    assert resp.status_code == 302
    page = text(client.get(f"/schemes/{v2.id}/diff"))
    assert "从" in page and "第1版" in page and "第2版" in page
    assert "第一议题制度" in page and "直接打分 → 扣分 范围=1-3" in page and "diff-changed" in page
    # comparing the other way round shows the same direction (old → new)
    page = text(client.get(f"/schemes/{draft.id}/diff?against={v2.id}"))
    assert "直接打分 → 扣分 范围=1-3" in page
    assert "没有可比较的上一版本" in text(client.get(f"/schemes/{draft.id}/diff"))


def test_indicator_forms(client, session, w, draft):
    login(client, "assessor")
    top = draft.indicators[0]
    form = {"code": "1.3", "name": "意识形态", "max_points": "5", "content": "内容", "rule_text": "每次1分",
            "methods": "日常考核、实地核验", "categories": ["机关"], "evidence_hint": "", "rule_type": "count",
            "params_text": "每次=abc"}
    resp = client.post(f"/schemes/{draft.id}/indicators/new?parent={top.id}", data=form)
    assert resp.status_code == 200
    assert "指标 1.3「意识形态」：计分参数：" in text(resp) and "has-error" in text(resp)
    resp = client.post(f"/schemes/{draft.id}/indicators/new?parent={top.id}", data={**form, "params_text": "每次=1"})
    assert resp.status_code == 302
    session.expire_all()
    s = session.get(Scheme, draft.id)
    new = next(i for i in s.indicators if i.code == "1.3")
    assert (new.parent.code, new.rule_type, new.rule_params, new.methods) == ("1", "count", {"per": "1"},
                                                                               ["日常考核", "实地核验"])
    page = text(client.get(f"/schemes/{draft.id}"))
    assert "指标 1「政治建设」" in page  # the pre-publish check now reports the sum
    edit = text(client.get(f"/schemes/{draft.id}/indicators/{new.id}/edit"))
    assert 'value="每次=1"' in edit and "计分参数的写法" in edit
    # move and delete (GET confirms, POST deletes with the subtree)
    assert client.post(f"/schemes/{draft.id}/indicators/{new.id}/move/up").status_code == 302
    session.expire_all()
    assert [i.code for i in session.get(Scheme, draft.id).indicators][:4] == ["1", "1.1", "1.3", "1.2"]
    confirm = text(client.get(f"/schemes/{draft.id}/indicators/{top.id}/delete"))
    assert "其下级 3 个指标将一并删除" in confirm
    assert client.post(f"/schemes/{draft.id}/indicators/{top.id}/delete").status_code == 302
    session.expire_all()
    assert [i.code for i in session.get(Scheme, draft.id).indicators] == ["2", "2.1"]


def test_item_and_tier_forms(client, session, w, draft):
    login(client, "assessor")
    sid = draft.id
    assert client.post(f"/schemes/{sid}/items/new", data={"code": "B2", "name": "表彰", "kind": "bonus",
                                                          "points": "0.5", "cap": "1"}).status_code == 302
    resp = client.post(f"/schemes/{sid}/items/new", data={"code": "B2", "name": "重复", "kind": "bonus"})
    assert resp.status_code == 200 and "编码「B2」已存在" in text(resp)
    item = draft.items[0]
    assert client.post(f"/schemes/{sid}/items/{item.id}/edit", data={
        "code": "B1", "name": "获得表彰（州级）", "kind": "bonus", "points": "1", "cap": "3"}).status_code == 302
    assert client.post(f"/schemes/{sid}/tiers/new", data={"name": "优秀", "threshold": "95",
                                                          "quota_pct": "10"}).status_code == 302
    resp = client.post(f"/schemes/{sid}/tiers/new", data={"name": "优秀2", "threshold": "x"})
    assert "最低分不是有效的数字：x" in text(resp)
    tier = draft.tiers[-1]
    assert client.post(f"/schemes/{sid}/tiers/{tier.id}/edit", data={"name": "差", "threshold": "0",
                                                                      "quota_pct": ""}).status_code == 302
    session.expire_all()
    s = session.get(Scheme, sid)
    assert [(i.code, i.name, i.cap) for i in s.items] == [("B1", "获得表彰（州级）", D(3)), ("P1", "未按期换届", None),
                                                         ("B2", "表彰", D(1))]
    assert [t.name for t in s.tiers] == ["优秀", "好", "较好", "一般", "差"]
    assert client.post(f"/schemes/{sid}/items/{s.items[2].id}/delete").status_code == 302
    assert client.post(f"/schemes/{sid}/tiers/{s.tiers[0].id}/delete").status_code == 302
    session.expire_all()
    s = session.get(Scheme, sid)
    assert len(s.items) == 2 and [t.name for t in s.tiers] == ["好", "较好", "一般", "差"]
    edit_page = text(client.get(f"/schemes/{sid}/items/{s.items[0].id}/edit"))
    assert 'value="获得表彰（州级）"' in edit_page


def test_objects_of_another_scheme_are_404(client, session, w, draft, make):
    other = make.scheme("OTHER", status="draft")
    session.commit()
    login(client, "assessor")
    assert client.get(f"/schemes/{draft.id}/items/{other.items[0].id}/edit").status_code == 404
    assert client.post(f"/schemes/{draft.id}/indicators/{other.indicators[0].id}/delete").status_code == 404
    assert client.get(f"/schemes/{draft.id}/diff?against={other.id}").status_code == 404
    assert client.get("/schemes/99999").status_code == 404


def test_template_download(client, w):
    login(client, "assessor")
    resp = client.get("/schemes/template.xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames[:4] == ["指标", "加减分项", "等次", "设置"]
    assert [c.value for c in wb["指标"][1]] == template_rows()[0]
    assert [c.value for c in wb["加减分项"][1]] == ["编码", "名称", "类型", "每项分值", "单项上限"]
    assert [c.value for c in wb["等次"][1]] == ["等次", "最低分", "名额比例(%)"]
    assert [r[0].value for r in wb["设置"].iter_rows()][:3] == ["项目", "方案名称", "满分"]
