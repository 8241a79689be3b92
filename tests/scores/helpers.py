"""Small helpers shared by the score view tests."""
from __future__ import annotations

from sqlalchemy import func, select

from scorecard.models import Score


def target_url(target) -> str:
    return f"/targets/{target.id}/scores"


def grid_url(w) -> str:
    return f"/rounds/{w['round'].id}/grid/{w['category'].id}"


def own_score(session, w, target, code, user="assessor"):
    session.expire_all()
    return session.scalar(select(Score).where(
        Score.target_id == target.id, Score.indicator_id == w["leaf"][code].id,
        Score.assessor_id == w[user].id))


def score_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Score))


def text(resp) -> str:
    return resp.get_data(as_text=True)
