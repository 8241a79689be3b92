"""考核负担统计 (C6) on the worked example: scheme S v2 flags 1.1 as 须提供佐证 (v1 flags
nothing), R2 has a 自评 and a 审核 deadline, unit A uploaded two files in 2025 (one in 2024)
and its self-assessment in R2 cites one of them twice (counted once)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from scorecard.models import Evidence, EvidenceCitation, SelfItem
from scorecard.services.dashboard import burden
from scorecard.services.errors import PermissionDenied
from tests.conftest import login


def evidence(session, org, user, n: int, year: int) -> Evidence:
    ev = Evidence(org_id=org.id, title=f"材料{n}", original_name=f"材料{n}.pdf", mime="application/pdf",
                  ext="pdf", size=10, sha256=f"{n:064d}", storage_key=f"k{n}", uploaded_by_id=user.id,
                  uploaded_at=dt.datetime(year, 3, 1, 8, 0))
    session.add(ev)
    session.flush()
    return ev


@pytest.fixture
def bx(ex, session, make):
    leaf = {i.code: i for i in ex.s2.indicators}
    leaf["1.1"].evidence_required = True
    leaf["1.1"].evidence_hint = "会议记录"
    ex.r2.self_deadline = dt.date(2025, 11, 30)
    ex.r2.review_deadline = dt.date(2025, 12, 15)
    e1 = evidence(session, ex.a, ex.unit_a, 1, 2025)
    e2 = evidence(session, ex.a, ex.unit_a, 2, 2025)
    evidence(session, ex.a, ex.unit_a, 3, 2024)
    ta = ex.r2.targets[0]
    items = [SelfItem(target_id=ta.id, indicator_id=leaf[c].id, updated_by_id=ex.unit_a.id) for c in ("1.1", "1.2")]
    session.add_all(items)
    session.flush()
    session.add_all([EvidenceCitation(evidence_id=e1.id, subject="self_item", subject_id=items[0].id, cited_by_id=ex.unit_a.id),
                     EvidenceCitation(evidence_id=e1.id, subject="self_item", subject_id=items[1].id, cited_by_id=ex.unit_a.id),
                     EvidenceCitation(evidence_id=e2.id, subject="appeal", subject_id=items[0].id, cited_by_id=ex.unit_a.id)])
    # a scheme whose leaf 1.2 applies to 机关 only: 企业 units face 2 leaves, 机关 units 3
    b = make.scheme("B", [("1.1", "学习", "50", "direct", {}, "1", "政治建设", ()),
                          ("1.2", "机关专项", "20", "direct", {}, "1", "政治建设", ("机关",)),
                          ("2.1", "党日", "50", "direct", {}, "2", "组织建设", ())],
                    categories=("机关", "企业"), full_marks=Decimal("120"))
    ex.rb = make.round(b, ex.root, [ex.a, ex.d], code="RB")
    session.commit()
    return ex


def test_scheme_burden_and_growth(session, bx):
    assert burden.deadline_columns() == ["self_deadline", "review_deadline"]
    b1 = burden.scheme_burden(session, bx.s1)
    b2 = burden.scheme_burden(session, bx.s2, bx.s1)
    assert (b1.indicators, b1.leaves, b1.evidence, b1.rounds, b1.deadlines) == (5, 3, 0, 1, 0)
    assert (b2.indicators, b2.leaves, b2.evidence, b2.rounds, b2.deadlines) == (5, 3, 1, 1, 2)
    assert [(c.name, c.leaves) for c in b2.categories] == [("机关", 3), ("企业", 3)]
    assert b2.growth == ["须提供佐证的指标由0项增加到1项", "提示提供佐证的指标由0项增加到1项"]
    assert b2.categories_text == "机关 3项、企业 3项"
    rb = burden.scheme_burden(session, bx.rb.scheme)
    assert [(c.name, c.leaves) for c in rb.categories] == [("机关", 3), ("企业", 2)] and rb.max_category == 3


def test_scheme_burden_per_category_and_methods(session, make):
    """Full marks, hinted leaves and 考核方式 per category; every growth is warned about."""
    cats = ("机关", "村")
    old = make.scheme("G", [("1.1", "学习", "60", "direct", {}, "1", "政治建设", ())], categories=cats)
    new = make.scheme("G2", [("1.1", "学习", "60", "direct", {}, "1", "政治建设", ()),
                             ("1.2", "机关专项", "40", "direct", {}, "1", "政治建设", ("机关",))], categories=cats)
    leaf = {i.code: i for i in new.indicators}
    leaf["1.1"].evidence_hint, leaf["1.1"].methods = "记录", ["实地核验"]
    leaf["1.2"].methods = ["实地核验", "述职评议"]
    session.flush()
    b = burden.scheme_burden(session, new)
    assert (b.leaves, b.hinted, b.evidence) == (2, 1, 0)
    assert b.methods == {"实地核验": 2, "述职评议": 1}
    assert [(c.name, c.leaves, c.full_marks, c.hinted) for c in b.categories] == [
        ("机关", 2, Decimal("100"), 1), ("村", 1, Decimal("60"), 1)]
    assert burden.burden_growth(burden.scheme_burden(session, old), b) == [
        f"末级指标由1项增加到2项（第{old.version}版→第{new.version}版）", "提示提供佐证的指标由0项增加到1项",
        "类别「机关」适用的末级指标由1项增加到2项"]
    assert burden.burden_growth(b, b) == []


def test_round_burden_per_unit(session, bx):
    rb = burden.round_burden(session, bx.leader, bx.r2)
    assert (rb.targets, rb.leaves, rb.evidence, rb.deadlines) == (4, 3, 1, 2)
    assert [(u.org_code, u.leaves, u.evidence, u.deadlines, u.uploads, u.cited) for u in rb.units] == [
        ("D", 3, 1, 2, 0, 0), ("A", 3, 1, 2, 2, 1), ("B", 3, 1, 2, 0, 0), ("C", 3, 1, 2, 0, 0)]
    assert rb.uploads == 2
    other = burden.round_burden(session, bx.leader, bx.rb)
    assert [(u.org_code, u.leaves) for u in other.units] == [("D", 2), ("A", 3)]
    assert other.max_leaves_per_unit == 3


def test_per_unit_and_year_sums_the_rounds(session, bx):
    report = burden.burden_report(session, bx.leader)
    assert [r.code for r in report.rounds] == ["R1", "X", "R2", "RB"]
    a = next(u for u in report.units if u.org_code == "A")
    # R1, X, R2, RB: 3 + 3 + 3 + 3 leaves; evidence only R2's 1.1; deadlines only R2's two
    assert (a.year, a.rounds, a.leaves, a.evidence, a.deadlines, a.uploads) == (2025, 4, 12, 1, 2, 2)
    d = next(u for u in report.units if u.org_code == "D")
    assert (d.rounds, d.leaves, d.evidence, d.deadlines) == (2, 5, 1, 2)
    assert [(s.code, s.version) for s in report.schemes] == [("B", 1), ("S", 2), ("S", 1), ("T", 1)]


@pytest.mark.parametrize("who", ["unit_a", "clerk"])
def test_burden_refused_to_units_and_clerks(session, bx, who):
    with pytest.raises(PermissionDenied):
        burden.burden_report(session, getattr(bx, who))
    with pytest.raises(PermissionDenied):
        burden.round_burden(session, getattr(bx, who), bx.r2)


def test_burden_pages(client, bx):
    login(client, "leader")
    html = client.get("/dashboard/burden").get_data(as_text=True)
    assert "须提供佐证的指标由0项增加到1项" in html
    assert "本年度已上传佐证（份）" in html
    page = client.get(f"/dashboard/rounds/{bx.r2.id}/burden").get_data(as_text=True)
    assert "本轮自评引用佐证（份）" in page and "甲局机关党委" in page
    assert "截止时间</dt><dd>2 个" in page


def test_scheme_page_shows_burden_panel(client, bx):
    login(client, "assessor")
    html = client.get(f"/schemes/{bx.s2.id}").get_data(as_text=True)
    assert 'id="burden-summary"' in html
    assert "须提供佐证的 1 项" in html and "设有截止时间 2 个" in html
    assert "与上一版本相比：须提供佐证的指标由0项增加到1项" in html
