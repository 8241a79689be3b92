"""Schemes belong to an owner organisation (issue: schemes belong to nobody). Only accounts whose
scope contains the owner manage a scheme; imports set the owner within the actor's scope; new
versions keep it; a round may only use a scheme owned by its owner organisation or one above it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from scorecard.models import Round, Scheme
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.rounds import lifecycle as rounds
from scorecard.services.rounds import setup
from scorecard.services.schemes import edit as schemes_edit
from scorecard.services.schemes import lifecycle as schemes
from tests.conftest import login

from .helpers import DEMO, Cli, parsed


@pytest.fixture
def sub(make, session, w):
    """Accounts scoped at unit A (a sub-unit of the 工委)."""
    out = {"admin_a": make.user("admin_a", "admin", w["a"]), "assessor_sub": make.user("assessor_sub", "assessor", w["a"])}
    session.commit()
    return out


@pytest.fixture
def gw_scheme(session, w):
    """The 工委's published scheme, imported by its assessor."""
    scheme = schemes.import_scheme(session, w["assessor"], parsed(), "GW", "工委方案", 2025)
    schemes.publish(session, w["assessor"], scheme)
    session.commit()
    return scheme


def test_import_belongs_to_the_actors_scope(session, w, sub, gw_scheme):
    assert gw_scheme.owner_org is w["root"]
    own = schemes.import_scheme(session, sub["assessor_sub"], parsed(), "A1", "甲局方案", 2025)
    assert own.owner_org is w["a"]
    below = schemes.import_scheme(session, sub["admin_a"], parsed(), "A2", "支部方案", 2025, owner=w["a1"])
    assert below.owner_org is w["a1"]
    with pytest.raises(PermissionDenied):  # the owner must lie in the actor's scope
        schemes.import_scheme(session, sub["admin_a"], parsed(), "A3", "越权方案", 2025, owner=w["root"])


@pytest.mark.parametrize("who", ["admin_a", "assessor_sub"])
def test_sub_unit_account_cannot_manage_the_committees_scheme(session, w, sub, gw_scheme, who):
    actor = sub[who]
    assert permissions.can_create_schemes(actor) and not permissions.can_manage_scheme(actor, gw_scheme)
    count = session.query(Scheme).count()
    with pytest.raises(PermissionDenied, match="机关工委"):
        schemes.new_version(session, actor, gw_scheme)
    with pytest.raises(PermissionDenied):  # importing a new version of the 工委's code
        schemes.import_scheme(session, actor, parsed(), "GW", "改过的方案", 2025)
    session.rollback()
    # a draft of the 工委's (made by the 工委's assessor) stays out of reach: edit and publish
    draft = schemes.new_version(session, w["assessor"], gw_scheme)
    session.commit()
    assert draft.owner_org is w["root"]  # new versions keep the owner
    for attempt in (lambda: schemes_edit.update_settings(session, actor, draft, name="改名"),
                    lambda: schemes_edit.add_tier(session, actor, draft, "优", "95"),
                    lambda: schemes.publish(session, actor, draft)):
        with pytest.raises(PermissionDenied):
            attempt()
    session.rollback()
    session.expire_all()
    assert session.get(Scheme, gw_scheme.id).status == "published"
    assert session.get(Scheme, draft.id).status == "draft" and session.get(Scheme, draft.id).name == "工委方案"
    assert session.query(Scheme).count() == count + 1


def test_sub_unit_account_manages_its_own_scheme(session, w, sub):
    own = schemes.import_scheme(session, sub["assessor_sub"], parsed(), "A1", "甲局方案", 2025)
    schemes.publish(session, sub["admin_a"], own)
    copy = schemes.new_version(session, sub["admin_a"], own)
    schemes_edit.update_settings(session, sub["assessor_sub"], copy, name="甲局方案（修订）")
    assert copy.owner_org is w["a"] and copy.name == "甲局方案（修订）"
    assert permissions.can_manage_scheme(w["assessor"], copy)  # the 工委 manages what lies below it
    assert not permissions.can_manage_scheme(w["leader"], copy)


def test_scheme_pages_show_manage_buttons_only_to_owners(client, session, w, sub, gw_scheme):
    login(client, "admin_a")
    page = client.get(f"/schemes/{gw_scheme.id}").get_data(as_text=True)
    assert "制定单位 机关工委" in page and "创建新版本" not in page
    resp = client.post(f"/schemes/{gw_scheme.id}/new-version")
    assert resp.status_code == 403 and "机关工委" in resp.get_data(as_text=True)
    assert session.query(Scheme).count() == 1
    listing = client.get("/schemes/").get_data(as_text=True)
    assert "导入方案" in listing and "机关工委" in listing


def test_rounds_use_schemes_owned_by_their_owner_or_above(session, w, sub, gw_scheme, make):
    """A 组织部 expects the 工委's rules to apply to every unit under it, and a unit's own scheme
    only to its own rounds: never a sibling's, nor one of a sub-unit (a 工委 round on a 甲局 scheme)."""
    own = schemes.import_scheme(session, sub["assessor_sub"], parsed(), "A1", "甲局方案", 2025)
    schemes.publish(session, sub["assessor_sub"], own)
    session.commit()
    assert {s.code for s in setup.published_schemes(session, sub["assessor_sub"])} == {"GW", "A1"}
    assert {s.code for s in setup.published_schemes(session, w["assessor"])} == {"GW"}
    with pytest.raises(PermissionDenied, match="甲局机关党委"):
        rounds.create_round(session, w["assessor"], own, "R-GW", "工委轮次")
    session.rollback()
    rnd = rounds.create_round(session, sub["assessor_sub"], gw_scheme, "R-A", "甲局轮次")
    assert rnd.owner_org is w["a"] and rnd.scheme is gw_scheme
    assert session.scalar(select(Round.code).where(Round.code == "R-GW")) is None


@pytest.fixture
def cli(monkeypatch, db_url, tmp_path):
    return Cli(monkeypatch, db_url, tmp_path / "cli-instance")


def test_cli_import_owner(cli, session, w, sub):
    result = cli("import", "scheme", str(DEMO), "--code", "C1", "--name", "演示", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "制定单位：机关工委（GW）" in result.output
    result = cli("import", "scheme", str(DEMO), "--code", "C2", "--name", "演示", "--year", "2025",
                 "--as", "assessor_sub")
    assert result.exit_code == 0, result.output
    result = cli("import", "scheme", str(DEMO), "--code", "C3", "--name", "演示", "--year", "2025",
                 "--owner", "A-1")
    assert result.exit_code == 0, result.output
    refused = cli("import", "scheme", str(DEMO), "--code", "C4", "--name", "演示", "--year", "2025",
                  "--as", "assessor_sub", "--owner", "GW")
    assert refused.exit_code == 1 and "不在您的管理范围内" in refused.output
    unknown = cli("import", "scheme", str(DEMO), "--code", "C5", "--name", "演示", "--year", "2025",
                  "--owner", "NOPE")
    assert unknown.exit_code == 1 and "所属组织编码「NOPE」不存在" in unknown.output
    session.expire_all()
    owners = dict(session.execute(select(Scheme.code, Scheme.owner_org_id)).all())
    assert owners == {"C1": w["root"].id, "C2": w["a"].id, "C3": w["a1"].id}


def test_console_import_without_organisations_is_refused(session):
    with pytest.raises(ServiceError, match="请先导入组织架构"):
        schemes.import_scheme(session, None, parsed(), "S", "方案", 2025)
