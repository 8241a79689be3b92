"""The score card page and workbook over HTTP: permission matrix, content, print stylesheet."""
from __future__ import annotations

import pytest

from scorecard.services.rounds import lifecycle as rounds_svc
from tests.conftest import login
from tests.rounds.conftest import Tables, text


def _url(t, suffix=""):
    return f"/cards/targets/{t.id}{suffix}"


@pytest.fixture
def published(make, session, card_world):
    """R3 in 公示 over A, A's child A-2 (机关) and B; unit accounts at A, A-2 and B."""
    w = card_world
    w["a2"] = make.org("A-2", "甲局第二党支部", w["a"], "机关")
    w["unit_a2"] = make.user("unit_a2", "unit", w["a2"])
    r3 = make.round(w["scheme"], w["root"], [w["a"], w["a2"], w["b"]], code="R3")
    rounds_svc.advance(session, w["assessor"], r3, "publish")
    w["r3"] = r3
    w["t3a"], w["t3a2"], w["t3b"] = r3.targets
    session.commit()
    return w


# (user, target key, expected status) on the published round R3
MATRIX = [
    ("unit_a", "t3a", 200), ("unit_a", "t3a2", 200), ("unit_a", "t3b", 403),   # own + subtree; never B
    ("unit_a2", "t3a2", 200), ("unit_a2", "t3a", 403), ("unit_a2", "t3b", 403),  # not the parent
    ("unit_b", "t3b", 200), ("unit_b", "t3a", 403),
    ("assessor", "t3a", 200), ("assessor", "t3b", 200), ("assessor_a", "t3a", 200),
    ("leader", "t3b", 200), ("admin", "t3a2", 200),
    ("clerk", "t3a", 403), ("other_assessor", "t3a", 403),
]


@pytest.mark.parametrize("who,key,status", MATRIX)
def test_permission_matrix(client, make, published, who, key, status):
    if who == "other_assessor":
        make.user("other_assessor", "assessor", make.org("GW2", "另一工委", kind="党工委"))
        published["ta"].round  # noqa: B018 (keep the session warm)
        make.s.commit()
    login(client, who)
    target = published[key]
    assert client.get(_url(target)).status_code == status
    assert client.get(_url(target, ".xlsx")).status_code == status


def test_units_wait_for_publication(client, card_world):
    """R1 is still in 审核评分: its cards (and ranks) are not shown to units yet."""
    login(client, "unit_a")
    assert client.get(_url(card_world["ta"])).status_code == 403
    assert "R1轮考核" not in text(client.get("/cards/"))


def test_card_list_shows_only_own_cards(client, published):
    login(client, "unit_a")
    page = text(client.get("/cards/"))
    assert f'href="{_url(published["t3a"])}"' in page and f'href="{_url(published["t3a2"])}"' in page
    assert f'href="{_url(published["t3b"])}"' not in page
    assert client.get("/cards/").status_code == 200
    client.post("/logout")
    login(client, "clerk")
    assert client.get("/cards/").status_code == 403


def test_page_shows_every_number_and_reason(client, session, card_world):
    from scorecard.services.rounds import adjustments
    w = card_world
    adjustments.set_veto(session, w["assessor"], w["ta"], True, "发生严重违纪问题")
    adjustments.set_override(session, w["assessor"], w["ta"], "一般", "经集体研究调整")
    session.commit()
    login(client, "leader")
    resp = client.get(_url(w["ta"]))
    page = text(resp)
    assert resp.status_code == 200
    assert "甲局机关党委考核评分卡" in page and 'href="/static/card.css"' in page
    summary = {r[0]: r[1:] for r in Tables(page).with_class("card-summary-table")[0]["rows"]}
    assert summary["总分"] == ["88.50", "= 基础分 89.50 + 加分 1.00 − 减分 2.00"]
    assert summary["排名"] == ["第 1 名", "在“机关”类别内排名，共 2 个"]
    assert summary["等次"][0] == "一般" and summary["一票否决"] == ["是", "原因：发生严重违纪问题（等次已封顶）"]
    assert summary["等次调整"] == ["一般", "由“较好”调整为“一般”，原因：经集体研究调整"]
    assert summary["较上一轮"][0] == "+14.50" and "R0轮考核" in summary["较上一轮"][1]
    table = Tables(page).with_class("card-table")[0]
    assert table["head"] == [["编码", "指标", "分值", "评分方式", "评分标准", "assessor", "李四", "得分", "扣分及原因"],
                             ["评分", "评语", "评分", "评语"]]
    rows = {r[0]: r for r in table["rows"]}
    assert rows["1"][1:3] == ["政治建设（小计）", "60.00"] and rows["1"][9] == "53.50"
    assert rows["1.1"][5:10] == ["38.00", "材料略少", "35.00", "学习记录不完整", "36.50"]
    assert rows["1.2"][9:] == ["17.00", "assessor：扣2分，三会一课缺记录；李四：扣4分，未按期召开支委会"]
    assert rows["2.1"][6] == "档次：好（100%）" and rows["2.1"][8] == "档次：较好（80%）"
    adj = Tables(page).with_class("card-adjustments")[0]["rows"]
    assert adj == [["加分", "B1 获得表彰", "1.00", "获得省级表彰"], ["减分", "P1 未按期换届", "2.00", "未按期换届"]]
    prev = Tables(page).with_class("card-previous")[0]["rows"]
    assert prev[0] == ["1 政治建设", "53.50", "50.00", "+3.50"] and prev[-1][1:] == ["88.50", "74.00", "+14.50"]


def test_no_previous_round_shows_dash(client, card_world):
    login(client, "leader")
    page = text(client.get(_url(card_world["tb"])))
    summary = {r[0]: r[1:] for r in Tables(page).with_class("card-summary-table")[0]["rows"]}
    assert summary["较上一轮"] == ["—", "同一方案没有更早的考核轮次"]
    assert "card-previous" not in page


def test_print_stylesheet(client, card_world):
    css = client.get("/static/card.css").get_data(as_text=True)
    assert "@media print" in css and "size: A4" in css and "table-header-group" in css
    login(client, "leader")
    page = text(client.get(_url(card_world["ta"])))
    assert "style=" not in page and "<script>" not in page  # CSP: no inline styles or scripts
