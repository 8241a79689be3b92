"""The first save of a leaf score racing another first save of the same cell (another window of
the same assessor), interleaved for real: the other session INSERTs and commits after this
save read "no score yet" and before it writes. The unique key refuses our INSERT; the answer
is StaleData — 409 on the page with the typed comment kept — never a 500, and the other
window's score is what is stored."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from scorecard.models import Indicator, RoundTarget, Score, User
from scorecard.services.scoring import scores
from tests.conftest import login


def test_two_first_saves_of_one_cell(app, client, w, monkeypatch):
    sessions = app.extensions["scorecard.sessions"]
    real, done = scores._put, []

    def other_window_first(*args, **kwargs):
        if not done:
            done.append(True)
            s = sessions()
            try:
                scores.save_score(s, s.get(User, w["assessor"].id), s.get(RoundTarget, w["tb"].id),
                                  s.get(Indicator, w["leaf"]["1.1"].id), {"value": "15"}, expected_version=None)
                s.commit()
            finally:
                s.close()
        return real(*args, **kwargs)

    monkeypatch.setattr(scores, "_put", other_window_first)
    login(client, "assessor")
    resp = client.post(f"/targets/{w['tb'].id}/scores",
                       data={"leaf": "1.1", "version": "", "value": "18", "comment": "我刚写的评语：会议记录不全"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "已在别处被修改" in html and "我刚写的评语：会议记录不全" in html
    s = sessions()
    try:
        stored = s.scalars(select(Score).where(Score.target_id == w["tb"].id)).all()
        assert [(x.points, x.version) for x in stored] == [(Decimal("15.00"), 1)]
    finally:
        s.close()
