"""一票否决 and manual tier override: a reason is required, and it is shown in every export:
the ranking page, the ranking workbook (category and 总体 sheets' 备注, the 得分明细 sheet),
the score card page and workbook — also after 定档, from the frozen snapshot."""
from __future__ import annotations

import openpyxl
import pytest

from scorecard.exports.cards import write_card_workbook
from scorecard.exports.ranking import export_ranking
from scorecard.services.cards.card import build_card
from scorecard.services.errors import ServiceError
from scorecard.services.rounds import adjustments
from scorecard.services.rounds import lifecycle as rounds
from tests.finalizing import finalize
from tests.conftest import login
from tests.rounds.conftest import text

VETO = "发生严重违纪问题"
OVERRIDE = "经集体研究调整"


def _cells(ws) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def _flag(session, w):
    adjustments.set_veto(session, w["assessor"], w["ta"], True, VETO)
    adjustments.set_override(session, w["assessor"], w["tb"], "好", OVERRIDE)
    session.commit()


@pytest.mark.parametrize("call", [
    lambda s, w: adjustments.set_veto(s, w["assessor"], w["ta"], True, "  "),
    lambda s, w: adjustments.set_override(s, w["assessor"], w["ta"], "好", ""),
])
def test_reason_is_required(session, card_world, call):
    with pytest.raises(ServiceError, match="必须填写原因"):
        call(session, card_world)
    session.rollback()
    assert card_world["ta"].veto is False and card_world["ta"].tier_override is None


@pytest.mark.parametrize("final", [False, True])
def test_shown_in_every_export(client, session, card_world, tmp_path, final):
    w = card_world
    _flag(session, w)
    if final:
        finalize(session, w["assessor"], w["round"])
        session.commit()
    path = tmp_path / "ranking.xlsx"
    export_ranking(session, w["leader"], w["round"], path)
    wb = openpyxl.load_workbook(path)
    for sheet in ("机关", "总体", "得分明细"):
        ws = wb[sheet]
        header = [c.value for c in ws[3]]
        notes = header.index("备注") + 1
        by_org = {ws.cell(r, header.index("组织编码") + 1).value: ws.cell(r, notes).value
                  for r in range(4, ws.max_row + 1)}
        assert f"一票否决：{VETO}（等次已封顶）" in by_org["A"], sheet
        assert f"等次调整：一般→好，原因：{OVERRIDE}" in by_org["B"], sheet
    for target, reason in (("ta", VETO), ("tb", OVERRIDE)):
        card_path = tmp_path / f"{target}.xlsx"
        write_card_workbook(build_card(session, w["leader"], w[target]), card_path)
        assert any(reason in c for c in _cells(openpyxl.load_workbook(card_path)["评分卡"]))
    login(client, "leader")
    ranking = text(client.get(f"/rounds/{w['round'].id}/ranking"))
    assert VETO in ranking and OVERRIDE in ranking
    assert VETO in text(client.get(f"/cards/targets/{w['ta'].id}"))
    assert OVERRIDE in text(client.get(f"/cards/targets/{w['tb'].id}"))
