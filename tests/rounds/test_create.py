"""Creating a round from the web form: success, restricted categories and refusals."""
from __future__ import annotations

from sqlalchemy import select

from scorecard.models import AuditEntry, Round
from scorecard.services.accounts.security import SECURITY_ENTITIES
from tests.conftest import login
from tests.rounds.conftest import text


def _form(scheme_obj, **kw):
    data = {"scheme": str(scheme_obj.id), "code": "2025-JG", "name": "2025年度机关党建考核"}
    data.update(kw)
    return data


def test_form_lists_latest_published_versions_only(client, session, make, world):
    make.scheme(code="S1", version=2, name="测试方案第二版")
    make.scheme(code="S9", name="草稿方案", status="draft")
    session.commit()
    login(client, "assessor")
    page = text(client.get("/rounds/new"))
    assert "测试方案第二版" in page and "第2版" in page
    assert "S1 测试方案（2025年，第1版）" not in page
    assert "草稿方案" not in page
    assert "机关（2个组织）" in page  # category checkbox with the count of orgs in scope


def test_create_success_all_targets(client, session, world):
    login(client, "assessor")
    resp = client.post("/rounds/new", data=_form(world["scheme"], trimmed="y"))
    assert resp.status_code == 302
    session.expire_all()
    rnd = session.scalar(select(Round).where(Round.code == "2025-JG"))
    assert resp.headers["Location"].endswith(f"/rounds/{rnd.id}")
    assert rnd.trimmed is True and rnd.phase == "self"
    assert rnd.owner_org_id == world["root"].id
    assert sorted(t.org.code for t in rnd.targets) == ["A", "B"]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.entity == "round", AuditEntry.entity_id == rnd.id))
    assert entry.action == "create" and entry.new["targets"] == 2
    page = text(client.get(resp.headers["Location"]))
    assert "已创建考核轮次“2025年度机关党建考核”，共2个考核对象" in page


def test_create_restricted_to_chosen_categories(client, session, make, world):
    scheme = make.scheme(code="S2", categories=("机关", "事业单位"))
    make.org("C", "丙医院党委", world["root"], "事业单位")
    session.commit()
    login(client, "assessor")
    cat = make.category("事业单位")
    resp = client.post("/rounds/new", data=_form(scheme, categories=[str(cat.id)]))
    assert resp.status_code == 302
    session.expire_all()
    rnd = session.scalar(select(Round).where(Round.code == "2025-JG"))
    assert [t.org.code for t in rnd.targets] == ["C"]


def test_category_outside_scheme_refused(client, session, make, world):
    make.org("C", "丙医院党委", world["root"], "事业单位")
    session.commit()
    login(client, "assessor")
    cat = make.category("事业单位")
    resp = client.post("/rounds/new", data=_form(world["scheme"], categories=[str(cat.id)]))
    assert resp.status_code == 200
    assert "类别“事业单位”不在所选方案的适用类别中" in text(resp)
    session.expire_all()
    assert session.scalar(select(Round).where(Round.code == "2025-JG")) is None


def test_duplicate_code_error_on_field(client, session, world):
    login(client, "assessor")
    resp = client.post("/rounds/new", data=_form(world["scheme"], code="R1"))
    assert resp.status_code == 200
    page = text(resp)
    assert "轮次编码“R1”已存在" in page and 'class="field has-error"' in page
    session.expire_all()
    assert session.query(Round).count() == 1


def test_unpublished_scheme_refused(client, session, make, world):
    draft = make.scheme(code="S9", status="draft")
    session.commit()
    login(client, "assessor")
    resp = client.post("/rounds/new", data=_form(draft))
    assert resp.status_code == 200
    assert "只能对已发布的方案开展考核" in text(resp)
    session.expire_all()
    assert session.scalar(select(Round).where(Round.code == "2025-JG")) is None
    assert session.query(AuditEntry).filter(AuditEntry.entity.not_in(SECURITY_ENTITIES)).count() == 0


def test_required_fields_have_chinese_errors(client, session, world):
    login(client, "assessor")
    resp = client.post("/rounds/new", data={"scheme": "", "code": " ", "name": ""})
    page = text(resp)
    assert "请选择考核方案" in page and "请填写轮次编码" in page and "请填写轮次名称" in page
    resp = client.post("/rounds/new", data=_form(world["scheme"], scheme="abc", categories=["x"]))
    page = text(resp)
    assert "请选择考核方案" in page and "所选类别无效" in page
    assert "Not a valid" not in page and "Invalid" not in page
    resp = client.post("/rounds/new", data=_form(world["scheme"], scheme="999"))
    assert "所选方案不存在" in text(resp)
    session.expire_all()
    assert session.query(Round).count() == 1


def test_assessor_without_targets_in_scope(client, session, make, world):
    lonely = make.org("GW2-EMPTY", "空支部", world["other_root"], kind="党支部")
    assert lonely.category is None
    own_scheme = make.scheme(code="S-OTHER", owner=world["other_root"])  # theirs to use
    session.commit()
    login(client, "other_assessor")
    resp = client.post("/rounds/new", data=_form(own_scheme))
    assert "没有可考核的组织" in text(resp)
