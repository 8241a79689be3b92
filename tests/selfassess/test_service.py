"""Self-assessment and review services: save, submit, deadlines, reopen, return → resubmit,
history, evidence rejection, progress and overdue lists, audit rows."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from scorecard.models import AuditEntry, SelfItem
from scorecard.services.errors import PermissionDenied, ServiceError, StaleData
from scorecard.services.selfassess import fill as selfassess
from scorecard.services.selfassess import review
from tests.selfassess.conftest import fill_all, upload


def test_save_typed_self_score_and_citation(session, sx):
    ev = upload(sx, session)
    item = selfassess.save_item(session, sx.unit_a, sx.ta, sx.leaf["1.2"],
                                {"deductions": [{"times": "1", "reason": "缺一次党课"}]},
                                narrative="全年开展三会一课", evidence_ids=[ev.id], expected_version=None,
                                today=sx.today)
    session.commit()
    assert item.points == Decimal("18.00") and item.status == "draft"
    assert [c.evidence.title for c in selfassess.citations(session, item)] == ["会议记录"]
    assert selfassess.target_status(session, sx.ta) == "draft"
    # second save with the version the user saw; dropping the citation un-cites it
    item = selfassess.save_item(session, sx.unit_a, sx.ta, sx.leaf["1.2"], {"deductions": []},
                                narrative="补充说明", evidence_ids=[], expected_version=item.version,
                                today=sx.today)
    assert item.points == Decimal("20.00") and selfassess.citations(session, item) == []
    assert [v.action for v in selfassess.history(session, item)] == ["save", "save"]
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "self_item")).all()
    assert actions == ["create", "update"]


def test_bad_input_and_stale_save_change_nothing(session, sx):
    with pytest.raises(ServiceError, match="1.1 第一议题"):
        selfassess.save_item(session, sx.unit_a, sx.ta, sx.leaf["1.1"], {"value": "41"}, today=sx.today)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SelfItem)) == 0
    item = selfassess.save_item(session, sx.unit_a, sx.ta, sx.leaf["1.1"], {"value": "30"}, today=sx.today)
    session.commit()
    with pytest.raises(StaleData):
        selfassess.save_item(session, sx.unit_a, sx.ta, sx.leaf["1.1"], {"value": "31"},
                             expected_version=None, today=sx.today)
    session.rollback()
    assert session.get(SelfItem, item.id).points == Decimal("30.00")


def test_cannot_cite_another_units_file(session, sx):
    ev_b = upload(sx, session, "unit_b", "b")
    with pytest.raises(ServiceError, match="不在“甲局机关党委”的佐证材料库中"):
        selfassess.save_item(session, sx.unit_a, sx.ta, sx.leaf["1.1"], {"value": "30"},
                             evidence_ids=[ev_b.id], today=sx.today)


def test_submit_requires_every_leaf_and_required_evidence(session, sx):
    selfassess.save_item(session, sx.unit_a, sx.ta, sx.leaf["1.1"], {"value": "30"}, today=sx.today)
    selfassess.save_item(session, sx.unit_a, sx.ta, sx.leaf["1.2"], {"deductions": []}, today=sx.today)
    with pytest.raises(ServiceError) as exc:
        selfassess.submit(session, sx.unit_a, sx.ta, today=sx.today)
    assert "1.2 三会一课：该项要求提供佐证材料" in exc.value.message
    assert "2.1 主题党日：未填写自评分" in exc.value.message


def test_submit_then_locked(session, sx):
    fill_all(sx, session)
    sa = selfassess.submit(session, sx.unit_a, sx.ta, today=sx.today)
    assert sa.status == "submitted" and sa.submitted_by.username == "unit_a"
    with pytest.raises(ServiceError, match="已提交，不能修改"):
        selfassess.save_item(session, sx.unit_a, sx.ta, sx.leaf["1.1"], {"value": "1"},
                             check_version=False, today=sx.today)
    with pytest.raises(ServiceError, match="没有需要提交的内容"):
        selfassess.submit(session, sx.unit_a, sx.ta, today=sx.today)


def test_deadline_closes_and_reopen_opens(session, sx):
    items, _ = fill_all(sx, session)
    sx.rnd.self_deadline = dt.date(2025, 12, 10)
    late = dt.date(2025, 12, 11)
    with pytest.raises(ServiceError, match="2025年12月10日截止"):
        selfassess.submit(session, sx.unit_a, sx.ta, today=late)
    with pytest.raises(ServiceError, match="截止"):
        selfassess.save_item(session, sx.unit_a, sx.ta, sx.leaf["1.1"], {"value": "1"},
                             check_version=False, today=late)
    assert [t.org.code for t, _ in selfassess.overdue(session, sx.rnd, late)] == ["A", "A-1", "B"]
    assert selfassess.overdue(session, sx.rnd, dt.date(2025, 12, 10)) == []
    with pytest.raises(ServiceError, match="理由"):
        review.reopen(session, sx.assessor, sx.ta, " ")
    with pytest.raises(PermissionDenied):
        review.reopen(session, sx.unit_a, sx.ta, "补报")
    review.reopen(session, sx.assessor, sx.ta, "系统故障未能按时提交")
    assert [t.org.code for t, _ in selfassess.overdue(session, sx.rnd, late)] == ["A-1", "B"]
    sa = selfassess.submit(session, sx.unit_a, sx.ta, today=late)
    assert sa.status == "submitted" and not sa.reopened
    row = session.scalars(select(AuditEntry).where(AuditEntry.action == "reopen")).one()
    assert row.reason == "系统故障未能按时提交" and row.old == {"reopened": False, "until": None}


def test_reopen_until_a_date(session, sx):
    fill_all(sx, session)
    sx.rnd.self_deadline = dt.date(2025, 12, 10)
    review.reopen(session, sx.assessor, sx.ta, "延期", until=dt.date(2099, 1, 1))
    sa = selfassess.header(session, sx.ta)
    assert selfassess.is_open(sx.rnd, sa, dt.date(2098, 12, 31))
    assert not selfassess.is_open(sx.rnd, sa, dt.date(2099, 1, 2))


def test_return_resubmit_confirm_history(session, sx):
    items, ev = fill_all(sx, session)
    selfassess.submit(session, sx.unit_a, sx.ta, today=sx.today)
    item = items["1.1"]
    with pytest.raises(ServiceError, match="退回理由"):
        review.return_item(session, sx.assessor, item, "")
    review.return_item(session, sx.assessor, item, "自评分依据不足，请补充第一议题学习记录")
    review.confirm(session, sx.assessor, items["2.1"])
    assert selfassess.target_status(session, sx.ta) == "returned"
    # the unit fixes the returned item, even after the deadline, and resubmits
    sx.rnd.self_deadline = dt.date(2025, 11, 1)
    with pytest.raises(ServiceError, match="已确认"):
        selfassess.save_item(session, sx.unit_a, sx.ta, sx.leaf["2.1"], {"level": "较好"},
                             check_version=False, today=sx.today)
    selfassess.save_item(session, sx.unit_a, sx.ta, sx.leaf["1.1"], {"value": "35"}, narrative="已补充学习记录",
                         check_version=False, today=sx.today)
    assert session.get(SelfItem, item.id).status == "returned"
    selfassess.submit(session, sx.unit_a, sx.ta, today=sx.today)
    assert session.get(SelfItem, item.id).status == "submitted"
    for code in ("1.1", "1.2"):
        review.confirm(session, sx.assessor, items[code])
    assert selfassess.target_status(session, sx.ta) == "confirmed"
    hist = selfassess.history(session, item)
    assert [(h.action, h.by.username) for h in hist] == [
        ("save", "unit_a"), ("submit", "unit_a"), ("return", "assessor"), ("save", "unit_a"),
        ("resubmit", "unit_a"), ("confirm", "assessor")]
    assert hist[2].reason.startswith("自评分依据不足") and hist[0].points == Decimal("38.00")
    assert hist[3].points == Decimal("35.00") and hist[3].narrative == "已补充学习记录"


def test_reject_evidence_is_recorded(session, sx):
    items, ev = fill_all(sx, session)
    selfassess.submit(session, sx.unit_a, sx.ta, today=sx.today)
    cit = selfassess.citations(session, items["1.2"])[0]
    with pytest.raises(ServiceError, match="理由"):
        review.reject_evidence(session, sx.assessor, items["1.2"], cit, "")
    review.reject_evidence(session, sx.assessor, items["1.2"], cit, "照片与三会一课无关")
    assert cit.rejected and cit.rejected_reason == "照片与三会一课无关"
    assert selfassess.history(session, items["1.2"])[-1].evidence[0]["rejected"] is True
    with pytest.raises(ServiceError, match="不相关"):
        review.reject_evidence(session, sx.assessor, items["1.2"], cit, "again")
    # a required-evidence item whose only file was rejected cannot be resubmitted as is
    review.return_item(session, sx.assessor, items["1.2"], "请补充相关材料")
    with pytest.raises(ServiceError, match="1.2 三会一课：该项要求提供佐证材料"):
        selfassess.submit(session, sx.unit_a, sx.ta, today=sx.today)


@pytest.mark.parametrize("who, target, allowed", [
    ("unit_a", "ta", True), ("unit_a", "ta1", True), ("unit_a", "tb", False), ("unit_b", "ta", False),
    ("assessor", "ta", False), ("leader", "ta", False), ("admin", "ta", False), ("clerk", "ta", False),
])
def test_who_may_self_assess(session, sx, who, target, allowed):
    call = lambda: selfassess.save_item(session, getattr(sx, who), getattr(sx, target), sx.leaf["1.1"],  # noqa: E731
                                        {"value": "1"}, today=sx.today)
    if allowed:
        assert call().points == Decimal("1.00")
    else:
        with pytest.raises(PermissionDenied):
            call()


@pytest.mark.parametrize("who, allowed", [
    ("assessor", True), ("assessor_a", False), ("unit_a", False), ("leader", False), ("admin", False)])
def test_who_may_review(session, sx, who, allowed):
    items, _ = fill_all(sx, session)
    selfassess.submit(session, sx.unit_a, sx.ta, today=sx.today)
    call = lambda: review.return_item(session, getattr(sx, who), items["1.1"], "理由")  # noqa: E731
    if allowed:
        assert call().status == "returned"
    else:
        with pytest.raises(PermissionDenied):
            call()


def test_phase_closes_self_assessment(session, sx):
    sx.rnd.phase = "publicity"
    with pytest.raises(PermissionDenied, match="公示"):
        selfassess.save_item(session, sx.unit_a, sx.ta, sx.leaf["1.1"], {"value": "1"}, today=sx.today)


def test_progress_counts_per_category(session, sx):
    fill_all(sx, session)
    selfassess.submit(session, sx.unit_a, sx.ta, today=sx.today)
    selfassess.save_item(session, sx.unit_b, sx.tb, sx.leaf["1.1"], {"value": "1"}, today=sx.today)
    items, _ = fill_all(sx, session, sx.ta1)
    selfassess.submit(session, sx.unit_a, sx.ta1, today=sx.today)
    review.return_item(session, sx.assessor, items["1.1"], "请补充")
    (row,) = selfassess.progress(session, sx.rnd)
    assert row["category"].name == "机关" and row["total"] == 3
    assert row["counts"] == {"not_started": 0, "draft": 1, "submitted": 1, "returned": 1, "confirmed": 0}


def test_review_deadline_closes_review(session, sx):
    """审核截止 is the last local day (inclusive) for confirm, return and rejecting evidence;
    moving the deadline opens review again."""
    items, ev = fill_all(sx, session)
    selfassess.submit(session, sx.unit_a, sx.ta, today=sx.today)
    session.commit()
    cit = selfassess.citations(session, items["1.2"])[0]
    sx.rnd.review_deadline = dt.date(2025, 12, 31)
    audit_rows = session.scalar(select(func.count()).select_from(AuditEntry))
    late = dt.date(2026, 1, 1)
    message = "审核截止日期为2025-12-31，已过期，不能再审核；如需延长请先修改截止日期"
    with pytest.raises(ServiceError, match=message):
        review.confirm(session, sx.assessor, items["2.1"], today=late)
    with pytest.raises(ServiceError, match=message):
        review.return_item(session, sx.assessor, items["1.1"], "请补充", today=late)
    with pytest.raises(ServiceError, match=message):
        review.reject_evidence(session, sx.assessor, items["1.2"], cit, "无关", today=late)
    assert {i.status for i in items.values()} == {"submitted"} and not cit.rejected
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit_rows
    # the deadline day itself is still open
    review.confirm(session, sx.assessor, items["2.1"], today=dt.date(2025, 12, 31))
    # without an explicit day the service asks the local clock
    with pytest.raises(ServiceError, match=message):
        from unittest import mock
        with mock.patch.object(selfassess, "local_today", lambda: late):
            review.return_item(session, sx.assessor, items["1.1"], "请补充")
    # the round's assessor moves the deadline, and review is open again
    review.set_deadlines(session, sx.assessor, sx.rnd, None, dt.date(2026, 1, 15))
    review.return_item(session, sx.assessor, items["1.1"], "请补充", today=late)
    assert session.get(SelfItem, items["1.1"].id).status == "returned"
