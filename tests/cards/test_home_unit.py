"""Conflict of interest covers reading: while a round's scores are in progress an assessor never
sees their home unit's scores: not its per-target page, its score card (HTML, xlsx), nor its card
in the round's 评分卡 report (page, workbook, background job, CLI), which leaves it out and says so.
Once results are published (公示) the card is theirs to read like any other."""
from __future__ import annotations

import openpyxl
import pytest

from scorecard.exports.reports import cards_job
from scorecard.services import permissions
from scorecard.services.cards.card import build_card, round_cards
from scorecard.services.errors import PermissionDenied
from scorecard.services.reports import analysis
from tests.conftest import login
from tests.rounds.conftest import score


@pytest.fixture
def hw(make, session):
    w = make.world()  # assessor_a: the 工委's assessor whose home unit is A
    w["a1"].category = w["a"].category  # the branch is assessed too
    w["scheme"] = make.scheme()
    w["round"] = make.round(w["scheme"], w["root"], [w["a"], w["a1"], w["b"]], code="R1", phase="review")
    w["ta"], w["ta1"], w["tb"] = w["round"].targets
    for t in (w["ta"], w["ta1"], w["tb"]):
        score(session, w["assessor"], t, "1.1", "30")
    session.commit()
    return w


def test_predicate(hw):
    a = hw["assessor_a"]
    assert permissions.why_not_view_scores(a, hw["ta"]) == "您所在单位需回避：结果公布前不能查看其评分"
    assert not permissions.can_view_scores(a, hw["ta1"])  # under the home unit
    assert permissions.can_view_scores(a, hw["tb"]) and permissions.can_view_scores(hw["assessor"], hw["ta"])
    assert permissions.can_view_scores(hw["leader"], hw["ta"])  # the rule is the assessors'
    hw["round"].phase = "publicity"
    assert permissions.can_view_scores(a, hw["ta"])


def test_card_and_round_cards(session, hw):
    a = hw["assessor_a"]
    with pytest.raises(PermissionDenied, match="回避"):
        build_card(session, a, hw["ta"])
    assert build_card(session, a, hw["tb"]).target_id == hw["tb"].id
    _ranking, cards = round_cards(session, a, hw["round"])
    assert [c.target_id for c in cards] == [hw["tb"].id]
    assert analysis.withheld_cards(a, hw["round"]) == 2
    _ranking, cards = round_cards(session, hw["assessor"], hw["round"])
    assert len(cards) == 3 and analysis.withheld_cards(hw["assessor"], hw["round"]) == 0
    hw["round"].phase = "publicity"
    assert len(round_cards(session, a, hw["round"])[1]) == 3


def test_cards_job_leaves_the_home_unit_out_and_says_so(session, hw, tmp_path):
    path = tmp_path / "cards.xlsx"
    cards_job(session, hw["assessor_a"], hw["round"], path, lambda *_: None, {})
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "说明" and len(wb.sheetnames) == 2
    assert "回避" in wb["说明"]["A2"].value and "2份" in wb["说明"]["A2"].value
    text = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value)
    assert "乙局机关党委" in text and "甲局" not in text


def test_views(client, hw):
    login(client, "assessor_a")
    for url in (f"/rounds/targets/{hw['ta'].id}", f"/cards/targets/{hw['ta'].id}",
                f"/cards/targets/{hw['ta'].id}.xlsx", f"/cards/targets/{hw['ta1'].id}"):
        resp = client.get(url)
        assert resp.status_code == 403 and "结果公布前不能查看其评分" in resp.get_data(as_text=True), url
    page = client.get(f"/reports/rounds/{hw['round'].id}/cards").get_data(as_text=True)
    assert "乙局机关党委" in page and "甲局" not in page and 'id="withheld"' in page
    listing = client.get("/cards/").get_data(as_text=True)
    assert f"/cards/targets/{hw['ta'].id}\"" not in listing
