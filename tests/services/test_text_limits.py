"""Every free text a user types is capped server-side by the one table (domain/limits.py): an
over-long text is refused with a Chinese message naming the field, and nothing is stored (the
issue: a 1,000,000-character score comment was stored and the card page became 3 MB)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from scorecard.domain import limits
from scorecard.models import AuditEntry, Evidence, Score, SelfItem, VerificationVisit
from scorecard.services import evidence as ev_svc
from scorecard.services.errors import ServiceError
from scorecard.services.rounds import adjustments
from scorecard.services.scoring import verification
from scorecard.services.scoring.scores import save_score
from scorecard.services.selfassess import fill, review
from scorecard.storage import LocalStorage
from tests.evidence import samples


@pytest.fixture
def w(make, session):
    world = make.world()
    scheme = make.scheme()
    world["rnd"] = make.round(scheme, world["root"], [world["a"], world["b"]])
    world["self_rnd"] = make.round(scheme, world["root"], [world["a"]], code="R2", phase="self")
    world["leaf"] = {i.code: i for i in scheme.indicators}
    session.commit()
    return world


def _refused(session, call, field: str, words: str) -> None:
    audits = session.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(ServiceError) as exc:
        call()
    assert exc.value.field == field and words in exc.value.message, exc.value.message
    session.rollback()
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audits


def test_a_million_character_comment_is_refused(session, w):
    target, leaf = w["rnd"].targets[0], w["leaf"]["1.1"]
    _refused(session, lambda: save_score(session, w["assessor"], target, leaf, {"value": "38"},
                                         comment="长" * 1_000_000, expected_version=None),
             "comment", f"评分说明不能超过{limits.COMMENT}个字符（当前1000000个）")
    assert session.scalar(select(func.count()).select_from(Score)) == 0
    save_score(session, w["assessor"], target, leaf, {"value": "38"}, comment="长" * limits.COMMENT,
               expected_version=None)  # the limit itself is allowed


def test_a_deduction_reason(session, w):
    target, leaf = w["rnd"].targets[0], w["leaf"]["1.2"]
    raw = {"deductions": [{"points": "2", "reason": "因" * (limits.DEDUCTION + 1)}]}
    _refused(session, lambda: save_score(session, w["assessor"], target, leaf, raw, expected_version=None),
             "deductions.0.reason", f"扣分原因（第1条）不能超过{limits.DEDUCTION}个字符")
    assert session.scalar(select(func.count()).select_from(Score)) == 0


def test_veto_and_override_reasons(session, w):
    target = w["rnd"].targets[0]
    long = "否" * (limits.REASON + 1)
    _refused(session, lambda: adjustments.set_veto(session, w["assessor"], target, True, long),
             "reason", f"原因不能超过{limits.REASON}个字符")
    assert not session.get(type(target), target.id).veto


def test_verification_findings_and_reasons(session, w):
    target, leaf = w["rnd"].targets[0], w["leaf"]["1.1"]
    day = dt.date(2025, 1, 1)
    _refused(session, lambda: verification.record_visit(
        session, w["assessor"], target, day, "张三", "发" * (limits.DESCRIPTION + 1),
        [verification.SampledLeaf(leaf)], today=day), "findings", f"核验发现不能超过{limits.DESCRIPTION}个字符")
    _refused(session, lambda: verification.record_visit(
        session, w["assessor"], target, day, "张" * (limits.TEAM + 1), "",
        [verification.SampledLeaf(leaf)], today=day), "team", f"核验组成员不能超过{limits.TEAM}个字符")
    assert session.scalar(select(func.count()).select_from(VerificationVisit)) == 0


def test_evidence_title(session, w, tmp_path):
    store = LocalStorage(tmp_path / "ev")
    _refused(session, lambda: ev_svc.upload(session, w["unit_a"], store, w["a"], samples.pdf("x"), "x.pdf",
                                            title="题" * (limits.TITLE + 1)),
             "title", f"材料标题不能超过{limits.TITLE}个字符")
    assert session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_self_assessment_narrative_and_return_reason(session, w):
    target, leaf = w["self_rnd"].targets[0], w["leaf"]["1.1"]
    today = dt.date(2025, 12, 1)
    _refused(session, lambda: fill.save_item(session, w["unit_a"], target, leaf, {"value": "38"},
                                             "说" * (limits.NARRATIVE + 1), today=today),
             "narrative", f"工作情况说明不能超过{limits.NARRATIVE}个字符")
    assert session.scalar(select(func.count()).select_from(SelfItem)) == 0
    item = fill.save_item(session, w["unit_a"], target, leaf, {"value": "38"}, "说明", today=today)
    item.status = "submitted"
    session.commit()
    _refused(session, lambda: review.return_item(session, w["assessor"], item, "退" * (limits.REASON + 1)),
             "reason", f"退回理由不能超过{limits.REASON}个字符")


def test_the_forms_show_the_limits(client, session, w):
    from tests.conftest import login

    login(client, "assessor")
    html = client.get(f"/targets/{w['rnd'].targets[0].id}/scores").get_data(as_text=True)
    assert f'name="comment" rows="2" maxlength="{limits.COMMENT}"' in html


def test_indicator_texts(session, w, make):
    from scorecard.services.schemes import edit

    draft = make.scheme(code="S2", status="draft")
    session.commit()
    ind = next(i for i in draft.indicators if i.code == "1.1")
    before = ind.content
    with pytest.raises(ServiceError) as exc:
        edit.update_indicator(session, w["admin"], ind, content="内" * (limits.DESCRIPTION + 1))
    assert exc.value.field == "content" and f"考核内容不能超过{limits.DESCRIPTION}个字符" in exc.value.message
    session.rollback()
    assert session.get(type(ind), ind.id).content == before
