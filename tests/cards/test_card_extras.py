"""Self-score (自评分) and cited evidence (佐证材料) columns on the card, when the unit has
submitted its self-assessment; drafts and citations marked irrelevant are not shown."""
from __future__ import annotations

from decimal import Decimal

import openpyxl

from scorecard.exports.cards import card_columns, write_card_workbook
from scorecard.models.evidence import Evidence, EvidenceCitation
from scorecard.models.selfassess import SelfItem
from scorecard.services.cards.card import build_card


def _evidence(session, w, title, sha):
    ev = Evidence(org_id=w["a"].id, title=title, original_name=f"{sha}.pdf", mime="application/pdf", ext="pdf",
                  size=10, sha256=sha * 64, storage_key=sha, uploaded_by_id=w["unit_a"].id)
    session.add(ev)
    session.flush()
    return ev


def test_self_score_and_evidence_columns(session, card_world, tmp_path):
    w = card_world
    ind = {i.code: i for i in w["scheme"].indicators}
    unit = w["unit_a"].id
    submitted = SelfItem(target_id=w["ta"].id, indicator_id=ind["1.1"].id, points=Decimal("40"),
                         status="submitted", updated_by_id=unit)
    draft = SelfItem(target_id=w["ta"].id, indicator_id=ind["2.1"].id, points=Decimal("40"),
                     status="draft", updated_by_id=unit)
    session.add_all([submitted, draft])
    session.flush()
    minutes, photo, other = (_evidence(session, w, t, s) for t, s in
                             (("第一议题学习记录", "a"), ("活动照片", "b"), ("无关材料", "c")))
    session.add_all([
        EvidenceCitation(evidence_id=minutes.id, subject="self_item", subject_id=submitted.id, cited_by_id=unit),
        EvidenceCitation(evidence_id=photo.id, subject="self_item", subject_id=submitted.id, cited_by_id=unit),
        EvidenceCitation(evidence_id=other.id, subject="self_item", subject_id=submitted.id, cited_by_id=unit,
                         rejected=True, rejected_reason="与指标无关"),
        EvidenceCitation(evidence_id=other.id, subject="self_item", subject_id=draft.id, cited_by_id=unit),
    ])
    session.commit()
    card = build_card(session, w["leader"], w["ta"])
    assert [(e.key, e.header) for e in card.extras] == [("self_score", "自评分"), ("evidence", "佐证材料")]
    leaves = {leaf.code: leaf for leaf in card.leaves}
    assert leaves["1.1"].extras == {"self_score": Decimal("40.00"), "evidence": "第一议题学习记录；活动照片"}
    assert leaves["2.1"].extras == {"self_score": None, "evidence": ""}  # a draft is not shown
    assert [c.header for c in card_columns(card)][-2:] == ["自评分", "佐证材料"]
    path = tmp_path / "card.xlsx"
    write_card_workbook(card, path)
    ws = openpyxl.load_workbook(path)["评分卡"]
    assert [c.value for c in ws[13]][-2:] == ["自评分", "佐证材料"]
    row = next(r for r in range(15, ws.max_row + 1) if ws.cell(r, 1).value == "1.1")
    assert [c.value for c in ws[row]][-2:] == [40, "第一议题学习记录；活动照片"]
    assert ws.cell(row, ws.max_column - 1).number_format == "0.00"


def test_no_columns_without_self_assessment(session, card_world):
    card = build_card(session, card_world["leader"], card_world["tb"])
    assert card.extras == [] and all(leaf.extras == {} for leaf in card.leaves)
