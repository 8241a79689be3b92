"""A penalty item's 单项上限 holds for the total, however many times the item is entered: the
ranking, the ranking page, the workbook and the score card show the capped figure and say so."""
from __future__ import annotations

import io
from decimal import Decimal

import openpyxl

from scorecard.services.rounds import adjustments
from scorecard.services.rounds.ranking import compute_ranking
from tests.conftest import login
from tests.rounds.conftest import score_all, text

NOTE = "减分项“未按期换届”累计5分，按单项上限3分计"


def _five_times(session, world):
    score_all(session, world)  # A: 38 + 18 + 40 = 96
    item = next(i for i in world["scheme"].items if i.kind == "penalty")
    item.points, item.cap = Decimal("1"), Decimal("3")
    for n in range(5):
        adjustments.add_adjustment(session, world["assessor"], world["ta"], item, "1", f"第{n + 1}次")
    session.commit()


def test_capped_penalty_counts_its_cap_with_a_note(session, world):
    _five_times(session, world)
    row = next(r for r in compute_ranking(session, world["round"]).rows if r.org_code == "A")
    assert row.penalty == Decimal("3.00")
    assert row.total == Decimal("93.00")  # 96 − 3, not 96 − 5
    assert NOTE in row.notes


def test_page_workbook_and_card_show_the_capped_penalty(client, session, world):
    _five_times(session, world)
    login(client, "leader")
    page = text(client.get(f"/rounds/{world['round'].id}/ranking"))
    assert NOTE in page and "93.00" in page
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/rounds/{world['round'].id}/ranking.xlsx").data))
    values = [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert any(NOTE in v for v in values)
    assert any("不超过该项上限" in v and "减分" in v for v in values)  # the 说明 sheet's penalty line
    card = text(client.get(f"/cards/targets/{world['ta'].id}"))
    assert NOTE in card and "93.00" in card
