"""The per-target breakdown (every number explained) and the adjustment forms."""
from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from scorecard.models import Adjustment, AuditEntry, RoundTarget
from scorecard.services.accounts.security import SECURITY_ENTITIES
from scorecard.services.rounds import lifecycle as rounds_svc
from scorecard.services.rounds.ranking import compute_ranking
from tests.finalizing import finalize
from tests.conftest import login
from tests.rounds.conftest import Tables, score, score_all, text
from tests.rounds.test_ranking import _two_categories


def _url(t, suffix=""):
    return f"/rounds/targets/{t.id}{suffix}"


def _report_row(session, t):
    session.expire_all()
    target = session.get(RoundTarget, t.id)
    return next(r for r in compute_ranking(session, target.round).rows if r.target_id == t.id)


def _audit(session, entity, action=None):
    q = select(AuditEntry).where(AuditEntry.entity == entity)
    if action:
        q = q.where(AuditEntry.action == action)
    return session.scalars(q.order_by(AuditEntry.id)).all()


def test_breakdown_explains_every_number(client, session, make, world):
    score_all(session, world)
    second = make.user("assessor2", "assessor", world["root"], display_name="李四")
    score(session, second, world["ta"], "1.1", "35", "第一议题学习记录不完整")
    session.commit()
    login(client, "leader")
    page = text(client.get(_url(world["ta"])))
    table = Tables(page).with_class("breakdown")[0]
    assert table["head"] == [["编码", "指标", "分值", "评分方式", "考核员评分", "得分"]]
    rows = {r[0]: r for r in table["rows"]}
    assert rows["1"][-1] == "54.50" and "政治建设（适用满分 60.00 分）小计" in rows["1"][1]
    assert rows["1.1"][2:4] == ["40.00", "直接打分"] and rows["1.1"][-1] == "36.50"  # (38 + 35) / 2
    assert "assessor：38.00" in rows["1.1"][4] and "评语：材料略少" in rows["1.1"][4]
    assert "李四：35.00" in rows["1.1"][4] and "第一议题学习记录不完整" in rows["1.1"][4]
    assert rows["1.2"][3] == "扣分" and "扣2.00分（1次×2分）：三会一课缺记录" in rows["1.2"][4]
    assert rows["2.1"][3] == "档次" and "档次：好（100%）" in rows["2.1"][4]
    assert rows["2"][-1] == "40.00"
    assert "各一级指标得分之和 = <strong>94.50</strong>" in page
    assert "第 1 名（仅在“机关”类别内排名，共 2 个）" in page
    assert "<strong>94.50</strong> = 基础分 94.50 + 加分 0.00 − 减分 0.00" in page
    assert 'class="tier-好">好<' in page
    assert "以复核后得分为准" in page and "述职评议票" in page  # the ranking rules' leaf part, same words


def test_conversion_shown_when_applied(client, session, make, world):
    rnd = _two_categories(make, session, world)
    tc = rnd.targets[2]
    login(client, "assessor")
    page = text(client.get(_url(tc)))
    assert "折算：原始分 70.00 × 满分 100.00 ÷ 适用满分 80.00 = <strong>87.50</strong>" in page
    codes = [r[0] for r in Tables(page).with_class("breakdown")[0]["rows"]]
    assert codes == ["1", "1.1", "2", "2.1"]  # 1.2 does not apply to 事业单位
    assert "折算" not in text(client.get(_url(rnd.targets[0]))).split("<h3>基础分</h3>")[1].split("</p>")[0]


def _add(client, t, item, points="", reason="获得省级表彰"):
    return client.post(_url(t, "/adjustments"),
                       data={"add-item": str(item.id), "add-points": points, "add-reason": reason})


def test_bonus_within_and_above_item_cap(client, session, world):
    score_all(session, world)
    bonus = world["scheme"].items[0]  # B1: 1 point each, cap 2
    login(client, "assessor")
    resp = _add(client, world["tb"], bonus, "3")
    assert resp.status_code == 400
    page = text(resp)
    assert "分值3.00超过该项上限2.00" in page and "未保存" in page
    assert "获得省级表彰" in page  # what the user typed is kept
    session.expire_all()
    assert session.query(Adjustment).count() == 0 and not _audit(session, "adjustment")
    resp = _add(client, world["tb"], bonus, "2")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(_url(world["tb"]))
    assert "已添加加分项“获得表彰”" in text(client.get(resp.headers["Location"]))
    assert _add(client, world["tb"], bonus, "").status_code == 302  # default: the item's 1 point
    row = _report_row(session, world["tb"])
    assert row.bonus == Decimal("2.00")  # 2 + 1 claimed, capped at the item's 2
    assert row.total == Decimal("76.00")
    entries = _audit(session, "adjustment", "create")
    assert [e.new["points"] for e in entries] == ["2.00", "1.00"]
    assert entries[0].reason == "获得省级表彰" and entries[0].user_id == world["assessor"].id
    page = text(client.get(_url(world["tb"])))
    assert "加分计入 2.00 分" in page and "B1 获得表彰" in page


def test_bonus_bad_points_and_missing_reason(client, session, world):
    login(client, "assessor")
    bonus = world["scheme"].items[0]
    assert "分值必须是数字" in text(_add(client, world["tb"], bonus, "abc"))
    assert "分值必须大于0" in text(_add(client, world["tb"], bonus, "0"))
    assert "请填写原因" in text(_add(client, world["tb"], bonus, "1", reason="  "))
    resp = client.post(_url(world["tb"], "/adjustments"), data={"add-item": "", "add-reason": "x"})
    assert "请选择加减分项" in text(resp)
    session.expire_all()
    assert session.query(Adjustment).count() == 0 and session.query(AuditEntry).filter(AuditEntry.entity.not_in(SECURITY_ENTITIES)).count() == 0


def test_penalty_and_removal(client, session, world):
    score_all(session, world)
    penalty = world["scheme"].items[1]  # P1: 2 points
    login(client, "assessor")
    assert _add(client, world["ta"], penalty, reason="未按期换届").status_code == 302
    row = _report_row(session, world["ta"])
    assert row.penalty == Decimal("2.00") and row.total == Decimal("94.00")
    adj_id = session.scalar(select(Adjustment.id))
    url = _url(world["ta"], f"/adjustments/{adj_id}/remove")
    resp = client.post(url, data={f"rm{adj_id}-reason": ""})
    assert resp.status_code == 400 and "请填写原因" in text(resp)
    session.expire_all()
    assert session.get(Adjustment, adj_id) is not None
    resp = client.post(url, data={f"rm{adj_id}-reason": "经核实已按期换届"}, follow_redirects=True)
    assert "已撤销减分项“未按期换届”" in text(resp)
    session.expire_all()
    assert session.get(Adjustment, adj_id) is None
    entry = _audit(session, "adjustment", "delete")[0]
    assert entry.reason == "经核实已按期换届" and entry.old["item"] == "P1"
    # an adjustment of another target cannot be removed through this target's URL
    other = Adjustment(target_id=world["tb"].id, item=penalty, points=2, reason="x", created_by=world["assessor"])
    session.add(other)
    session.commit()
    assert client.post(_url(world["ta"], f"/adjustments/{other.id}/remove"),
                       data={f"rm{other.id}-reason": "x"}).status_code == 404


def test_veto_needs_reason_then_caps_tier(client, session, world):
    score_all(session, world)
    login(client, "assessor")
    resp = client.post(_url(world["ta"], "/veto"), data={"veto-on": "1", "veto-reason": ""})
    assert resp.status_code == 400 and "请填写原因" in text(resp)
    session.expire_all()
    assert session.get(RoundTarget, world["ta"].id).veto is False
    assert session.query(AuditEntry).filter_by(entity="round_target").count() == 0
    resp = client.post(_url(world["ta"], "/veto"), data={"veto-on": "1", "veto-reason": "发生严重违纪问题"},
                       follow_redirects=True)
    page = text(resp)
    assert "已设置一票否决" in page and "<strong>已否决</strong>：发生严重违纪问题" in page
    assert "（按分数计算为“好”）" in page and "取消一票否决" in page
    session.expire_all()
    target = session.get(RoundTarget, world["ta"].id)
    assert target.veto and target.veto_reason == "发生严重违纪问题"
    assert _report_row(session, world["ta"]).tier == "差"
    assert _audit(session, "round_target", "veto")[0].reason == "发生严重违纪问题"
    resp = client.post(_url(world["ta"], "/veto"), data={"veto-on": "0", "veto-reason": "复核后撤销"},
                       follow_redirects=True)
    assert "已取消一票否决" in text(resp)
    session.expire_all()
    assert session.get(RoundTarget, world["ta"].id).veto is False
    assert _audit(session, "round_target", "unveto")[0].reason == "复核后撤销"


def test_tier_override_set_refused_and_cleared(client, session, world):
    score_all(session, world)
    login(client, "assessor")
    url = _url(world["tb"], "/override")
    assert "请填写原因" in text(client.post(url, data={"ovr-tier": "较好", "ovr-reason": ""}))
    page = text(client.post(url, data={"ovr-tier": "优秀", "ovr-reason": "x"}))
    assert "等次“优秀”不存在，可选：好、较好、一般、差" in page
    assert "请选择调整后的等次" in text(client.post(url, data={"ovr-tier": "", "ovr-reason": "x"}))
    session.expire_all()
    assert session.get(RoundTarget, world["tb"].id).tier_override is None
    assert session.query(AuditEntry).filter_by(entity="round_target").count() == 0
    resp = client.post(url, data={"ovr-tier": "较好", "ovr-reason": "实地核验表现突出"}, follow_redirects=True)
    page = text(resp)
    assert "已将等次调整为“较好”" in page and "调整为“较好”，原因：实地核验表现突出" in page
    assert _report_row(session, world["tb"]).tier == "较好"
    assert 'selected value="较好"' in page
    resp = client.post(url, data={"ovr-tier": "", "ovr-reason": "撤销调整"}, follow_redirects=True)
    assert "已取消手动调整的等次" in text(resp)
    assert _report_row(session, world["tb"]).tier == "一般"
    entries = _audit(session, "round_target", "override_tier")
    assert [(e.new["tier_override"], e.reason) for e in entries] == [("较好", "实地核验表现突出"), (None, "撤销调整")]


def test_final_round_has_no_forms_and_refuses_posts(client, session, world):
    score_all(session, world)
    finalize(session, world["assessor"], world["round"])
    session.commit()
    login(client, "assessor")
    page = text(client.get(_url(world["ta"])))
    assert "已定档，数据已冻结" in page and "add-form" not in page
    assert client.post(_url(world["ta"], "/veto"), data={"veto-on": "1", "veto-reason": "x"}).status_code == 403
    assert _add(client, world["ta"], world["scheme"].items[0], "1").status_code == 403


def test_final_round_lists_adjustments_from_snapshot(client, session, world):
    login(client, "assessor")
    _add(client, world["ta"], world["scheme"].items[0], "1", reason="全省先进基层党组织")
    finalize(session, world["assessor"], session.get(type(world["round"]), world["round"].id))
    session.commit()
    page = text(client.get(_url(world["ta"])))
    assert "全省先进基层党组织" in page and "撤销" not in page


def test_csrf_enforced_on_adjustment_post(app, client, session, world):
    login(client, "assessor")
    app.config["WTF_CSRF_ENABLED"] = True
    data = {"veto-on": "1", "veto-reason": "发生严重违纪问题"}
    resp = client.post(_url(world["ta"], "/veto"), data=data)
    assert resp.status_code == 400 and "页面已过期" in text(resp)
    session.expire_all()
    assert session.get(RoundTarget, world["ta"].id).veto is False
    page = text(client.get(_url(world["ta"])))
    form = page.split('class="veto-form"', 1)[1].split("</form>", 1)[0]
    name, token = re.search(r'name="([^"]*csrf_token)" type="hidden" value="([^"]+)"', form).groups()
    assert name == "veto-csrf_token"
    resp = client.post(_url(world["ta"], "/veto"), data={**data, name: token})
    assert resp.status_code == 302
    session.expire_all()
    assert session.get(RoundTarget, world["ta"].id).veto is True


def test_csrf_enforced_on_phase_change(app, client, session, world):
    login(client, "assessor")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/rounds/{world['round'].id}/advance/publish").status_code == 400
    session.expire_all()
    assert session.get(type(world["round"]), world["round"].id).phase == "review"
