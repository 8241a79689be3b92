"""The ranking page: built from ranking_columns(report), numbers equal compute_ranking, ranks only
within a category and never without their components, notes, snapshot after 定档, Excel download."""
from __future__ import annotations

import html
import io
import re
from decimal import Decimal
from urllib.parse import unquote

import openpyxl

from scorecard.domain.numbers import fmt
from scorecard.domain.ranking_rules import explain
from scorecard.exports.columns import ranking_columns
from scorecard.models import Organisation, Round, RoundTarget
from scorecard.services.rounds import adjustments
from scorecard.services.rounds import lifecycle as rounds_svc
from scorecard.services.rounds.ranking import compute_ranking, ranking_rules
from tests.finalizing import finalize
from tests.conftest import login
from tests.rounds.conftest import Tables, score, score_all, text

LEAVES = [
    ("1.1", "第一议题", "40", "direct", {}, "1", "政治建设", ()),
    ("1.2", "三会一课", "20", "deduct", {"per": "2"}, "1", "政治建设", ("机关",)),
    ("2.1", "主题党日", "40", "grade", {}, "2", "组织建设", ()),
]


def _two_categories(make, session, world):
    scheme = make.scheme(code="S2", categories=("机关", "事业单位"), leaves=LEAVES, convert=True)
    c = make.org("C", "丙医院党委", world["root"], "事业单位")
    d = make.org("D", "丁学校党委", world["root"], "事业单位")
    rnd = make.round(scheme, world["root"], [world["a"], world["b"], c, d], code="R2")
    ta, tb, tc, td = rnd.targets
    a = world["assessor"]
    for t, v11, n12, lvl in ((ta, "38", 1, "好"), (tb, "40", 0, "较好"), (tc, "30", None, "好"), (td, "36", None, "一般")):
        score(session, a, t, "1.1", v11)
        if n12 is not None:
            score(session, a, t, "1.2", n12)
        score(session, a, t, "2.1", lvl)
    session.commit()
    return rnd


def _tables(resp):
    return {t["attrs"]["data-category"]: t for t in Tables(text(resp)).with_class("ranking")}


def test_page_numbers_equal_compute_report(client, session, make, world):
    rnd = _two_categories(make, session, world)
    adjustments.add_adjustment(session, world["assessor"], rnd.targets[2], rnd.scheme.items[0], "2", "省级表彰")
    adjustments.add_adjustment(session, world["assessor"], rnd.targets[1], rnd.scheme.items[1], None, "未按期换届")
    session.commit()
    login(client, "leader")
    tables = {}
    for category_id in _category_ids(session, rnd):  # one category per page
        tables.update(_tables(client.get(f"/rounds/{rnd.id}/ranking?category={category_id}")))
    session.expire_all()
    report = compute_ranking(session, session.get(Round, rnd.id))
    cols = ranking_columns(report)
    assert list(tables) == report.categories == ["机关", "事业单位"]
    for category, table in tables.items():
        expected = [[("" if c.value(r) is None else fmt(c.value(r)) if c.kind == "num" else str(c.value(r)))
                     for c in cols] for r in report.rows_of(category)]
        assert table["rows"] == expected
    # sanity on the oracle itself: ranks restart per category, 折算 applied to 事业单位
    assert [r[0] for r in tables["机关"]["rows"]] == ["1", "2"]
    assert [r[0] for r in tables["事业单位"]["rows"]] == ["1", "2"]
    c_row = next(r for r in report.rows if r.org_code == "C")
    assert c_row.base_raw == Decimal("70.00") and c_row.base == Decimal("87.50")
    assert c_row.total == Decimal("89.50")


def test_rank_never_shown_without_components(client, session, make, world):
    rnd = _two_categories(make, session, world)
    login(client, "assessor")
    tables = []
    for category_id in _category_ids(session, rnd):
        page = text(client.get(f"/rounds/{rnd.id}/ranking?category={category_id}"))
        tables += Tables(page).with_class("ranking")
    assert len(tables) == 2
    for table in tables:
        upper, lower = table["head"]
        assert upper[0] == "排名"
        assert "一级指标得分" in upper
        assert lower == ["政治建设（60分）", "组织建设（40分）"]
        for header in ("组织编码", "组织名称", "类别", "基础分", "加分", "减分", "总分", "等次", "备注"):
            assert header in upper, header
    ids = _category_ids(session, rnd)
    assert f'href="/rounds/{rnd.id}/ranking?category={ids[0]}">机关（2）' in page
    assert f'href="/rounds/{rnd.id}/ranking?category={ids[1]}" class="current" aria-current="page">事业单位（2）' in page
    assert "总分如何计算" in page and "基础分 = 原始分 × 100 ÷ 适用满分" in page
    assert "只在同一考核类别内排名" in page


def _category_ids(session, rnd) -> list[int]:
    """The round's category ids in the order of their first target (the report's order)."""
    ids = []
    for t in sorted(session.get(Round, rnd.id).targets, key=lambda t: t.id):
        if t.category_id not in ids:
            ids.append(t.category_id)
    return ids


def test_page_shows_one_category_switched_by_tabs(client, session, make, world):
    rnd = _two_categories(make, session, world)
    first, second = _category_ids(session, rnd)
    login(client, "leader")
    default = text(client.get(f"/rounds/{rnd.id}/ranking"))
    assert list(_tables_from(default)) == ["机关"]  # the first category when none is asked for
    assert "甲局机关党委" in default and "丙医院党委" not in default
    assert "下载考核结果排名表（Excel）" in default and "总分如何计算" in default
    assert text(client.get(f"/rounds/{rnd.id}/ranking?category={first}")) == default
    other = text(client.get(f"/rounds/{rnd.id}/ranking?category={second}"))
    tables = _tables_from(other)
    assert list(tables) == ["事业单位"]
    assert {r[1] for r in tables["事业单位"]["rows"]} == {"C", "D"} and "甲局机关党委" not in other
    assert [r[0] for r in tables["事业单位"]["rows"]] == ["1", "2"]  # ranked within the category
    assert "下载考核结果排名表（Excel）" in other
    stray = make.category("社区")  # exists, but has no target in this round
    session.commit()
    for bad in ("99999", str(stray.id), "abc", ""):
        assert client.get(f"/rounds/{rnd.id}/ranking?category={bad}").status_code == 404, bad


def test_category_tabs_survive_snapshot(client, session, make, world):
    rnd = _two_categories(make, session, world)
    finalize(session, world["assessor"], rnd)
    session.commit()
    _, second = _category_ids(session, rnd)
    login(client, "leader")
    page = text(client.get(f"/rounds/{rnd.id}/ranking?category={second}"))
    assert "已定档，数据已冻结" in page and list(_tables_from(page)) == ["事业单位"]


def test_org_rows_link_to_target_detail(client, world, session):
    score_all(session, world)
    login(client, "assessor")
    page = text(client.get(f"/rounds/{world['round'].id}/ranking"))
    assert f'<a href="/rounds/targets/{world["ta"].id}">甲局机关党委</a>' in page


def test_veto_override_and_quota_notes_visible(client, session, make, world):
    world["scheme"].tiers[0].quota_pct = Decimal("50")  # 好 at most 50% (1 of 2)
    score_all(session, world)
    for t in (world["ta"], world["tb"]):
        for code, value in (("1.1", "40"), ("1.2", 0), ("2.1", "好")):
            score(session, world["assessor"], t, code, value)
    session.commit()
    login(client, "leader")
    rows = _tables(client.get(f"/rounds/{world['round'].id}/ranking"))["机关"]["rows"]
    assert all("名额边界并列，超出名额" in r[-1] for r in rows)
    adjustments.set_veto(session, world["assessor"], world["ta"], True, "发生严重违纪问题")
    adjustments.set_override(session, world["assessor"], world["tb"], "较好", "核查发现材料不实")
    session.commit()
    page = text(client.get(f"/rounds/{world['round'].id}/ranking"))
    rows = {r[1]: r for r in _tables_from(page)["机关"]["rows"]}
    assert rows["A"][-2] == "差" and "一票否决：发生严重违纪问题（等次已封顶）" in rows["A"][-1]
    assert rows["B"][-2] == "较好" and "等次调整：好→较好，原因：核查发现材料不实" in rows["B"][-1]
    assert "<strong>甲局机关党委</strong>：一票否决：发生严重违纪问题" in page
    assert "名额不超过" not in page and "不超过本类别考核对象的50%" in page


def _tables_from(page):
    return {t["attrs"]["data-category"]: t for t in Tables(page).with_class("ranking")}


def test_live_banner_before_final(client, world):
    login(client, "assessor")
    page = text(client.get(f"/rounds/{world['round'].id}/ranking"))
    assert "尚未定档" in page and "已定档，数据已冻结" not in page


def test_finalized_round_shows_snapshot_after_rename(client, session, world):
    score_all(session, world)
    finalize(session, world["assessor"], world["round"])
    session.commit()
    org = session.get(Organisation, world["a"].id)
    org.name = "甲局机关党委（已更名）"
    session.commit()
    login(client, "leader")
    page = text(client.get(f"/rounds/{world['round'].id}/ranking"))
    assert "已定档，数据已冻结" in page
    rows = {r[1]: r for r in _tables_from(page)["机关"]["rows"]}
    assert rows["A"][2] == "甲局机关党委"
    assert "已更名" not in page
    detail = text(client.get(f"/rounds/targets/{world['ta'].id}"))
    assert "<h1>甲局机关党委 " in detail and "已更名" not in detail
    assert "已定档，数据已冻结" in detail
    xlsx = client.get(f"/rounds/{world['round'].id}/ranking.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    values = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert "甲局机关党委" in values and not any("已更名" in str(v) for v in values)


def test_ranking_xlsx_download(client, session, world):
    score_all(session, world)
    login(client, "leader")
    resp = client.get(f"/rounds/{world['round'].id}/ranking.xlsx")
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "R1轮考核结果排名表.xlsx" in unquote(disposition.split("filename*=UTF-8''", 1)[1])
    wb = openpyxl.load_workbook(io.BytesIO(resp.data))
    assert "机关" in wb.sheetnames
    ws = wb["机关"]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "甲局机关党委" in values and "排名" in values


def test_ranking_with_no_scores_flags_missing(client, world):
    login(client, "assessor")
    rows = _tables_from(text(client.get(f"/rounds/{world['round'].id}/ranking")))["机关"]["rows"]
    assert [r[0] for r in rows] == ["1", "1"]  # equal totals share a rank
    assert all("未评分3项" in r[-1] for r in rows)


def test_target_row_ids_survive_snapshot(session, world):
    """The snapshot keeps target ids as ints, so the page can link rows to the detail page."""
    finalize(session, world["assessor"], world["round"])
    session.commit()
    session.expire_all()
    rnd = session.get(Round, world["round"].id)
    ids = {r["target_id"] for r in rnd.snapshot["rows"]}
    assert ids == {t.id for t in session.query(RoundTarget).filter_by(round_id=rnd.id)}


def test_page_and_workbook_explain_the_same_rules(client, session, make, world):
    """One text of the ranking rules: the page's “总分如何计算” and the workbook's 说明 sheet."""
    rnd = _two_categories(make, session, world)
    rnd.scheme.tie_break = ["2", "1"]
    rnd.scheme.bonus_cap = Decimal(5)
    session.commit()
    login(client, "leader")
    page = text(client.get(f"/rounds/{rnd.id}/ranking")).split('class="card rules-note"')[1]
    shown = [html.unescape(x) for x in re.findall(r"<(?:h3|li)>(.*?)</(?:h3|li)>", page)]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/rounds/{rnd.id}/ranking.xlsx").data))
    sheet = [str(c.value) for row in book["说明"].iter_rows() for c in row if c.value]
    rules = [x for heading, lines in explain(ranking_rules(session.get(Round, rnd.id))) for x in (heading, *lines)]
    assert shown == rules
    assert sheet[0] == "计分与排名说明" and sheet[1:1 + len(rules)] == rules
    joined = "\n".join(rules)
    for part in ("依次比较“组织建设”得分、“政治建设”得分", "加分合计不超过5分", "基础分 = 原始分 × 100 ÷ 适用满分",
                 "述职评议票", "以复核后得分为准", "差：60分以下"):
        assert part in joined, part
