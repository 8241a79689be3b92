"""Races of the self-assessment and its review, interleaved for real: two Session objects on the
same database, the second one writing after the first committed (portable: SQLite here,
PostgreSQL at the lead's). The loser is refused with StaleData (409 and a Chinese message on
the page, the typed text kept), never a 500 page, and the winner's data is what is stored."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from scorecard.models import RoundTarget, SelfItem, SelfItemVersion, User
from scorecard.services.errors import StaleData
from scorecard.services.selfassess import fill as selfassess
from scorecard.services.selfassess import review
from tests.conftest import login

from .conftest import FULL, fill_all


@pytest.fixture
def sessions(app):
    factory = app.extensions["scorecard.sessions"]
    opened = []

    def new():
        s = factory()
        opened.append(s)
        return s

    yield new
    for s in opened:
        s.rollback()
        s.close()


def _save_elsewhere(sessions, sx, code, narrative, version=None):
    """Another window saves the leaf and commits."""
    s = sessions()
    tgt, ind = s.get(RoundTarget, sx.ta.id), s.get(type(sx.leaf[code]), sx.leaf[code].id)
    selfassess.save_item(s, s.get(User, sx.unit_a.id), tgt, ind, FULL[code], narrative,
                         expected_version=version, today=sx.today)
    s.commit()


def _stored(sessions, sx, code):
    s = sessions()
    return s.scalar(select(SelfItem).where(SelfItem.target_id == sx.ta.id,
                                           SelfItem.indicator_id == sx.leaf[code].id))


def _interleave(monkeypatch, other):
    """Run `other()` (a committed save in another session) once, after the save under test has
    read the item and before it writes (fill._library_files runs in between)."""
    real, done = selfassess._library_files, []

    def late(*args, **kwargs):
        if not done:
            done.append(True)
            other()
        return real(*args, **kwargs)

    monkeypatch.setattr(selfassess, "_library_files", late)


def test_two_first_saves_of_a_leaf(session, sx, sessions, monkeypatch):
    _interleave(monkeypatch, lambda: _save_elsewhere(sessions, sx, "1.1", "另一窗口"))
    mine = sessions()
    tgt, ind = mine.get(RoundTarget, sx.ta.id), mine.get(type(sx.leaf["1.1"]), sx.leaf["1.1"].id)
    with pytest.raises(StaleData, match="已在别处被修改"):
        selfassess.save_item(mine, mine.get(User, sx.unit_a.id), tgt, ind, FULL["1.1"], "本窗口",
                             expected_version=None, today=sx.today)
    mine.rollback()
    assert _stored(sessions, sx, "1.1").narrative == "另一窗口"


def test_two_updates_of_one_item(session, sx, sessions, monkeypatch):
    _save_elsewhere(sessions, sx, "1.1", "初稿")
    version = _stored(sessions, sx, "1.1").version
    _interleave(monkeypatch, lambda: _save_elsewhere(sessions, sx, "1.1", "另一窗口", version))
    mine = sessions()
    tgt, ind = mine.get(RoundTarget, sx.ta.id), mine.get(type(sx.leaf["1.1"]), sx.leaf["1.1"].id)
    mine.scalar(select(SelfItem).where(SelfItem.target_id == tgt.id, SelfItem.indicator_id == ind.id))
    with pytest.raises(StaleData, match="已在别处被修改"):
        selfassess.save_item(mine, mine.get(User, sx.unit_a.id), tgt, ind, FULL["1.1"], "本窗口",
                             expected_version=version, today=sx.today)
    mine.rollback()
    item = _stored(sessions, sx, "1.1")
    assert item.narrative == "另一窗口" and item.version == version + 1


def test_lost_first_save_on_the_page_is_409_with_the_typed_text(client, session, sx, sessions, monkeypatch):
    _interleave(monkeypatch, lambda: _save_elsewhere(sessions, sx, "1.1", "另一窗口"))
    login(client, "unit_a")
    monkeypatch.setattr(selfassess, "local_today", lambda: sx.today)
    resp = client.post(f"/self/targets/{sx.ta.id}/items/1.1",
                       data={"value": "38", "narrative": "我刚刚写好的一大段情况说明", "version": ""})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "已在别处被修改" in html and "我刚刚写好的一大段情况说明" in html
    assert _stored(sessions, sx, "1.1").narrative == "另一窗口"


def _submitted(session, sx):
    items, _ = fill_all(sx, session)
    selfassess.submit(session, sx.unit_a, sx.ta, today=sx.today)
    session.commit()
    return items["2.1"].id


def _review_race(sessions, sx, item_id, first, second):
    """Two reviewers load the submitted item; `first` acts and commits, then `second` acts."""
    a, b = sessions(), sessions()
    item_a, item_b = a.get(SelfItem, item_id), b.get(SelfItem, item_id)
    assert item_a.status == item_b.status == "submitted"
    first(a, a.get(User, sx.assessor.id), item_a)
    a.commit()
    try:
        second(b, b.get(User, sx.assessor.id), item_b)
    finally:
        b.rollback()


@pytest.mark.parametrize("first, second", [
    ("confirm", "return"), ("return", "confirm"), ("confirm", "confirm"), ("return", "return")])
def test_confirm_and_return_racing(session, sx, sessions, first, second):
    item_id = _submitted(session, sx)
    act = {"confirm": lambda s, u, i: review.confirm(s, u, i, "确认"),
           "return": lambda s, u, i: review.return_item(s, u, i, "依据不足")}
    with pytest.raises(StaleData, match="已在别处被审核或修改"):
        _review_race(sessions, sx, item_id, act[first], act[second])
    check = sessions()
    item = check.get(SelfItem, item_id)
    assert item.status == {"confirm": "confirmed", "return": "returned"}[first]
    actions = check.scalars(select(SelfItemVersion.action).where(SelfItemVersion.item_id == item_id)).all()
    assert actions.count(first) == 1 and (first == second or second not in actions)


def test_lost_return_on_the_page_is_409_and_keeps_the_reason(client, session, sx, sessions, monkeypatch):
    item_id = _submitted(session, sx)
    from scorecard.web.selfassess import review as review_view

    real = review_view.review.return_item

    def confirmed_meanwhile(db, actor, item, reason):
        db.get(SelfItem, item_id)  # the page's item, loaded before the other reviewer commits
        other = sessions()
        review.confirm(other, other.get(User, sx.assessor.id), other.get(SelfItem, item_id))
        other.commit()
        return real(db, actor, item, reason)

    monkeypatch.setattr(review_view.review, "return_item", confirmed_meanwhile)
    login(client, "assessor")
    resp = client.post(f"/self/items/{item_id}/return", data={"reason": "第一议题学习记录不全，请补充"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "已在别处被审核或修改" in html and "第一议题学习记录不全，请补充" in html
    check = sessions()
    assert check.get(SelfItem, item_id).status == "confirmed"
    assert check.scalar(select(func.count()).select_from(SelfItemVersion)
                        .where(SelfItemVersion.item_id == item_id, SelfItemVersion.action == "return")) == 0
