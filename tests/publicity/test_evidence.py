"""Appeals and nominations cite files from the target organisation's evidence library
(optional); another library's file is refused and nothing is written."""
from __future__ import annotations

import datetime as dt

import pytest

from scorecard.models import Appeal, Nomination
from scorecard.models.evidence import EvidenceCitation
from scorecard.services import evidence
from scorecard.services.errors import ServiceError
from scorecard.services.publicity import appeals, nominations
from scorecard.services.rounds import lifecycle as rounds
from scorecard.storage import LocalStorage
from tests.conftest import login
from tests.evidence.samples import pdf

from .conftest import leaf


@pytest.fixture
def files(session, w, tmp_path):
    store = LocalStorage(tmp_path / "ev")
    own = evidence.upload(session, w["unit_a"], store, w["a"], pdf("a"), "表彰文件.pdf", title="表彰文件").evidence
    other = evidence.upload(session, w["unit_b"], store, w["b"], pdf("b"), "乙.pdf", title="乙局文件").evidence
    session.commit()
    return own, other


def test_nomination_and_appeal_cite_own_library(client, session, w, files):
    own, other = files
    bonus = next(i for i in w["scheme"].items if i.kind == "bonus")
    nom = nominations.nominate(session, w["unit_a"], w["ta"], bonus, "先进党组织", "1", evidence_ids=[own.id])
    assert [(c.subject, c.subject_id) for c in session.query(EvidenceCitation)] == [("nomination", nom.id)]
    session.commit()
    with pytest.raises(ServiceError, match="没有权限引用该佐证材料"):
        nominations.nominate(session, w["unit_a"], w["ta"], bonus, "另一项", "1", evidence_ids=[other.id])
    session.rollback()
    assert session.query(Nomination).count() == 1
    rounds.advance(session, w["assessor"], w["round"], "publish", today=dt.date.today())
    appeal = appeals.submit(session, w["unit_a"], w["ta"], leaf(w, "1.1"), "有记录", dt.date.today(),
                            evidence_ids=[own.id])
    session.commit()
    login(client, "assessor")
    page = client.get(f"/publicity/rounds/{w['round'].id}").get_data(as_text=True)
    assert page.count(f"/evidence/{own.id}") == 2
    assert session.query(Appeal).one().id == appeal.id


def test_unit_page_offers_library_and_posts_citation(client, session, w, files):
    own, _other = files
    rounds.advance(session, w["assessor"], w["round"], "publish", today=dt.date.today())
    session.commit()
    login(client, "unit_a")
    page = client.get(f"/publicity/targets/{w['ta'].id}").get_data(as_text=True)
    assert "表彰文件" in page and "乙局文件" not in page
    resp = client.post(f"/publicity/targets/{w['ta'].id}/appeals",
                       data={"indicator": str(leaf(w, "1.2").id), "reason": "见文件", "evidence": [str(own.id)]})
    assert resp.status_code == 302
    assert [c.subject for c in session.query(EvidenceCitation)] == ["appeal"]
