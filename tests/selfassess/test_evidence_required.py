"""The indicator flag "须提供佐证" (evidence required): template column, editor, new version."""
from __future__ import annotations

import pytest

from scorecard.importers.common import ImportFailed
from scorecard.importers.scheme import parse_scheme
from scorecard.services.schemes import edit as schemes_edit
from scorecard.services.schemes import lifecycle as schemes
from tests.importers.builders import at, find, xlsx

HEADER = ["编码", "上级编码", "名称", "分值", "须提供佐证"]


def test_template_column_is_optional_and_parsed():
    rows = [HEADER, ["1", None, "政治建设", 100, None], ["1.1", "1", "第一议题", 60, "是"],
            ["1.2", "1", "三会一课", 40, "否"]]
    parsed = {i.code: i.evidence_required for i in parse_scheme(xlsx({"指标": rows})).indicators}
    assert parsed == {"1": False, "1.1": True, "1.2": False}
    plain = parse_scheme(xlsx({"指标": [["编码", "名称", "分值"], ["A", "甲", 100]]}))
    assert plain.indicators[0].evidence_required is False


def test_template_bad_flag_names_the_cell():
    rows = [HEADER, ["1", None, "政治建设", 100, "也许"]]
    with pytest.raises(ImportFailed) as exc:
        parse_scheme(xlsx({"指标": rows}))
    issue = find(exc.value.issues, "须提供佐证")
    assert at(issue) == ("指标", 2, 5) and "也许" in issue.message


def test_editor_sets_flag_and_new_version_keeps_it(session, make):
    w = make.world()
    scheme = make.scheme(status="draft")
    leaf = next(i for i in scheme.indicators if i.code == "1.1")
    schemes_edit.update_indicator(session, w["assessor"], leaf, evidence_required=True)
    assert leaf.evidence_required is True
    schemes.publish(session, w["assessor"], scheme)
    copy = schemes.new_version(session, w["assessor"], scheme)
    assert next(i for i in copy.indicators if i.code == "1.1").evidence_required is True


def test_editor_form_sets_flag(client, session, make):
    from tests.conftest import login

    w = make.world()
    scheme = make.scheme(status="draft")
    leaf = next(i for i in scheme.indicators if i.code == "2.1")
    session.commit()
    login(client, "assessor")
    url = f"/schemes/{scheme.id}/indicators/{leaf.id}/edit"
    assert "自评时必须提供佐证材料" in client.get(url).get_data(as_text=True)
    resp = client.post(url, data={"code": "2.1", "name": "主题党日", "max_points": "40", "rule_type": "grade",
                                  "evidence_required": "y"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    session.expire_all()
    assert session.get(type(leaf), leaf.id).evidence_required is True
    assert w["assessor"]
