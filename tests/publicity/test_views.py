"""Pages: unit result + appeal, assessor answers, nominations, verification form, vote grid."""
from __future__ import annotations

import datetime as dt

from scorecard.models import Appeal, Nomination, PanelVote, VerificationVisit
from scorecard.services.publicity import appeals
from scorecard.services.rounds import lifecycle as rounds
from scorecard.services.rounds.ranking import compute_ranking
from tests.conftest import login

from .conftest import D, leaf, row_of


def text(resp) -> str:
    return resp.get_data(as_text=True)


def _publish(session, w):
    rounds.advance(session, w["assessor"], w["round"], "publish", today=dt.date.today())
    session.commit()


def test_unit_sees_own_result_and_appeals(client, session, w):
    _publish(session, w)
    login(client, "unit_b")
    page = text(client.get("/publicity/"))
    assert "R1轮考核" in page and "公示中，可申诉" in page
    page = text(client.get(f"/publicity/targets/{w['tb'].id}"))
    assert "<strong>80.00</strong>" in page and "第 1 名" not in page and "类别第 2 名" in page
    assert "提出申诉" in page
    resp = client.post(f"/publicity/targets/{w['tb'].id}/appeals",
                       data={"indicator": str(leaf(w, "1.1").id), "reason": "已完成全部学习"})
    assert resp.status_code == 302
    appeal = session.query(Appeal).one()
    assert appeal.reason == "已完成全部学习" and appeal.before_points == D("30.00")
    assert "待复核" in text(client.get(f"/publicity/targets/{w['tb'].id}"))


def test_appeal_errors_write_nothing(client, session, w):
    _publish(session, w)
    login(client, "unit_b")
    resp = client.post(f"/publicity/targets/{w['tb'].id}/appeals", data={"indicator": "", "reason": "x"})
    assert resp.status_code == 400 and "请选择要申诉的指标" in text(resp)
    resp = client.post(f"/publicity/targets/{w['tb'].id}/appeals",
                       data={"indicator": str(leaf(w, "1.1").id), "reason": " "})
    assert resp.status_code == 400 and "请填写申诉理由" in text(resp)
    assert session.query(Appeal).count() == 0


def test_assessor_answers_appeal_and_ranking_changes(client, session, w):
    _publish(session, w)
    appeals.submit(session, w["unit_b"], w["tb"], leaf(w, "1.1"), "理由", dt.date.today())
    session.commit()
    login(client, "assessor")
    page = text(client.get(f"/publicity/rounds/{w['round'].id}"))
    assert "还有 1 条申诉待复核" in page and "提交复核" in page
    resp = client.post(f"/rounds/{w['round'].id}/advance/finalize", data={"early_reason": "提前"},
                       follow_redirects=True)
    assert "还有1条申诉尚未复核，不能定档" in text(resp)
    resp = client.post(f"/publicity/appeals/{session.query(Appeal).one().id}/answer",
                       data={"decision": "changed", "after": "45", "answer": "改"})
    assert resp.status_code == 400 and "超出0到40.00的范围" in text(resp)
    resp = client.post(f"/publicity/appeals/{session.query(Appeal).one().id}/answer",
                       data={"decision": "changed", "after": "40", "answer": "材料属实"})
    assert resp.status_code == 302
    session.expire_all()
    assert row_of(compute_ranking(session, w["round"]), w["tb"]).total == D("90.00")
    ranking = text(client.get(f"/rounds/{w['round'].id}/ranking"))
    assert "申诉复核 1.1 第一议题：30.00→40.00" in ranking
    resp = client.post(f"/rounds/{w['round'].id}/advance/finalize", follow_redirects=True)
    assert "尚未期满，不能定档" in text(resp)  # the window is open
    resp = client.post(f"/rounds/{w['round'].id}/advance/finalize", data={"early_reason": "申诉已全部答复"},
                       follow_redirects=True)
    assert "已定档" in text(resp)


def test_nomination_flow_through_pages(client, session, w):
    login(client, "unit_a")
    bonus = next(i for i in w["scheme"].items if i.kind == "bonus")
    resp = client.post(f"/publicity/targets/{w['ta'].id}/nominations",
                       data={"item": str(bonus.id), "title": "省级先进党组织", "claimed": "3"})
    assert resp.status_code == 400 and "超过该加分项上限2.00" in text(resp)
    assert session.query(Nomination).count() == 0
    resp = client.post(f"/publicity/targets/{w['ta'].id}/nominations",
                       data={"item": str(bonus.id), "title": "省级先进党组织", "claimed": "2"})
    assert resp.status_code == 302
    nom = session.query(Nomination).one()
    client.post("/logout")
    login(client, "assessor")
    resp = client.post(f"/publicity/nominations/{nom.id}/decide", data={"decision": "approve", "points": "1.5"})
    assert resp.status_code == 400 and "请填写审核意见说明原因" in text(resp)
    resp = client.post(f"/publicity/nominations/{nom.id}/decide",
                       data={"decision": "approve", "points": "1.5", "reason": "市级"})
    assert resp.status_code == 302
    ranking = text(client.get(f"/rounds/{w['round'].id}/ranking"))
    assert "绩优推报：省级先进党组织（市级）" in ranking


def test_verification_page_records_visit(client, session, w):
    login(client, "assessor")
    url = f"/publicity/targets/{w['ta'].id}/verify"
    page = text(client.get(url))
    assert "记录一次实地核验" in page and "38.00" in page
    bad = {"visit_date": "2025-11-20", "team": "张三", "sample-1.1": "1", "points-1.1": "36", "reason-1.1": ""}
    resp = client.post(url, data=bad)
    assert resp.status_code == 400 and "核验得分必须填写调整原因" in text(resp)
    assert session.query(VerificationVisit).count() == 0
    resp = client.post(url, data={**bad, "reason-1.1": "记录不全", "findings": "抽查台账"})
    assert resp.status_code == 302
    page = text(client.get(url))
    assert "核验组：张三" in page and "<strong>36.00</strong>" in page and "实地核验" in page
    assert row_of(compute_ranking(session, w["round"]), w["ta"]).leaf_scores["1.1"] == D("36.00")


def test_vote_grid_saves_and_converts(client, session, w):
    login(client, "assessor")
    url = f"/publicity/targets/{w['ta'].id}/votes"
    assert "评议人" in text(client.get(url))
    data = {"rows": "3", "rater-0": "评委1", "vote-0-2.2": "满意", "rater-1": "评委2", "vote-1-2.2": "基本满意",
            "rater-2": "", "vote-2-2.2": ""}
    assert client.post(url, data=data).status_code == 302
    assert session.query(PanelVote).count() == 2
    assert row_of(compute_ranking(session, w["round"]), w["ta"]).leaf_scores["2.2"] == D("16.00")
    resp = client.post(url, data={**data, "rater-1": "评委1"})
    assert resp.status_code == 400 and "第2行：评议人“评委1”与第1行重复" in text(resp)
    assert session.query(PanelVote).count() == 2


def test_votes_hidden_from_unit_and_leader(client, session, w):
    from scorecard.services.scoring.votes import GridRow, save_grid

    save_grid(session, w["assessor"], w["ta"], [GridRow("王秘密", {"2.2": "不满意"}), GridRow("评委2", {"2.2": "满意"})])
    session.commit()
    _publish(session, w)
    for who in ("unit_a", "leader"):
        client.post("/logout")
        login(client, who)
        assert client.get(f"/publicity/targets/{w['ta'].id}/votes").status_code == 403
        pages = [client.get(f"/publicity/targets/{w['ta'].id}"), client.get(f"/rounds/targets/{w['ta'].id}")]
        for resp in pages:
            if resp.status_code == 200:
                assert "王秘密" not in text(resp)
        assert "评议2票：满意1、基本满意0、不满意1" in text(pages[0])
    client.post("/logout")
    login(client, "assessor")
    assert "王秘密" in text(client.get(f"/publicity/targets/{w['ta'].id}/votes"))


def test_window_form_validates_dates(client, session, w):
    login(client, "assessor")
    url = f"/publicity/rounds/{w['round'].id}/window"
    resp = client.post(url, data={"start": "2025-13-01", "end": "2025-12-20"})
    assert resp.status_code == 400 and "公示开始日期“2025-13-01”不是有效的日期" in text(resp)
    resp = client.post(url, data={"start": "2025-12-20", "end": "2025-12-10"})
    assert resp.status_code == 400 and "不能早于开始日期" in text(resp)
    assert client.post(url, data={"start": "2025-12-20", "end": "2025-12-26"}).status_code == 302
    session.expire_all()
    assert (str(w["round"].publicity_start), str(w["round"].publicity_end)) == ("2025-12-20", "2025-12-26")
