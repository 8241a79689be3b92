"""The per-target score page: access per role, typed input per rule type, stale saves, clear."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from scorecard.services.scoring import scores as scoring
from tests.scores.helpers import own_score, score_count, target_url, text


@pytest.mark.parametrize("username", ["leader", "unit_a", "unit_b", "clerk", "admin", "assessor_b"])
def test_page_is_refused_outside_role_or_scope(w, as_user, username):
    c = as_user(username)
    assert c.get(target_url(w["tb"])).status_code == 403
    assert c.post(target_url(w["tb"]), data={"leaf": "1.1", "value": "10"}).status_code == 403
    assert c.get("/targets/99999/scores").status_code == 404


def test_home_unit_is_refused_with_a_chinese_reason(w, as_user, session):
    c = as_user("assessor_a")
    resp = c.get(target_url(w["ta"]))
    assert resp.status_code == 403
    assert "回避" in text(resp)
    resp = c.post(target_url(w["ta"]), data={"leaf": "1.1", "value": "10"})
    assert resp.status_code == 403 and "回避" in text(resp)
    assert score_count(session) == 0
    assert c.get(target_url(w["tb"])).status_code == 200  # another unit is fine


def test_page_shows_every_applicable_leaf_with_its_rule(w, as_user):
    page = text(as_user("assessor").get(target_url(w["tb"])))
    for code, name in [("1.1", "第一议题"), ("1.2", "三会一课"), ("2.2", "主题党日"), ("3.3", "责任清单")]:
        assert f'id="leaf-{code}"' in page and name in page
    assert "网格治理" not in page  # 社区-only leaf does not apply to 机关
    assert "评分标准" in page and "政治建设" in page and "作用发挥" in page
    assert 'name="version" value=""' in page
    assert "scores.js" in page and "<script>" not in page and "style=" not in page


CASES = [
    ("1.1", {"value": "18.5"}, {"value": "18.5"}, "18.50"),
    ("1.2", {"d_times": ["1", "2"], "d_reason": ["未按期召开支委会", "记录不全"]},
     {"deductions": [{"times": "1", "points": "2", "reason": "未按期召开支委会"},
                     {"times": "2", "points": "4", "reason": "记录不全"}]}, "4.00"),
    ("1.2", {"d_times": [""], "d_reason": [""]}, {"deductions": []}, "10.00"),
    ("1.3", {"d_points": ["2.5", ""], "d_reason": ["谈话次数不足", ""]},
     {"deductions": [{"points": "2.5", "reason": "谈话次数不足"}]}, "7.50"),
    ("2.1", {"count": "3"}, {"count": "3"}, "6.00"),
    ("2.1", {"count": "9"}, {"count": "9"}, "10.00"),
    ("2.2", {"level": "较好"}, {"level": "较好"}, "8.00"),
    ("2.3", {"actual": "85", "target": "100"}, {"actual": "85", "target": "100"}, "8.50"),
    ("3.1", {"met": "0"}, {"met": False}, "0.00"),
    ("3.1", {"met": "1"}, {"met": True}, "10.00"),
    ("3.2", {"vote_0": "8", "vote_1": "2", "vote_2": ""},
     {"votes": {"满意": "8", "基本满意": "2", "不满意": "0"}}, "9.20"),
    ("3.3", {"done": "3", "due": "4"}, {"done": "3", "due": "4"}, "7.50"),
]


@pytest.mark.parametrize("code,form,stored,points", CASES)
def test_each_rule_type_is_saved_through_its_form(w, as_user, session, code, form, stored, points):
    c = as_user("assessor")
    resp = c.post(target_url(w["tb"]), data={"leaf": code, "version": "", "comment": "已核实", **form})
    assert resp.status_code == 302, text(resp)[:2000]
    assert resp.headers["Location"].endswith(f"#leaf-{code}")
    score = own_score(session, w, w["tb"], code)
    assert score.input == stored
    assert score.points == D(points)
    assert score.comment == "已核实" and score.version == 1
    page = text(c.get(target_url(w["tb"])))
    assert "已保存" in page and points in page
    assert 'name="version" value="1"' in page


def test_saved_typed_input_is_prefilled(w, as_user):
    c = as_user("assessor")
    c.post(target_url(w["tb"]), data={"leaf": "2.2", "version": "", "level": "一般"})
    c.post(target_url(w["tb"]), data={"leaf": "1.2", "version": "", "d_times": "2", "d_reason": "缺记录"})
    page = text(c.get(target_url(w["tb"])))
    assert 'value="一般" checked' in page
    assert 'value="缺记录"' in page and 'name="d_times" min="1" step="1" value="2"' in page


def test_below_full_marks_asks_for_a_comment_but_saves(w, as_user, session):
    c = as_user("assessor")
    resp = c.post(target_url(w["tb"]), data={"leaf": "1.1", "version": "", "value": "15"},
                  follow_redirects=True)
    page = text(resp)
    assert "已保存“1.1 第一议题”：15.00分" in page
    assert "建议填写评语" in page and '<p class="comment-warn">' in page
    assert own_score(session, w, w["tb"], "1.1").points == D("15.00")
    c.post(target_url(w["tb"]), data={"leaf": "1.1", "version": "1", "value": "20"})
    assert '<p class="comment-warn">' not in text(c.get(target_url(w["tb"])))


@pytest.mark.parametrize("code,form,message", [
    ("1.1", {"value": "25"}, "超出满分"),
    ("1.1", {"value": "1.234"}, "最多保留两位小数"),
    ("1.2", {"d_times": "1", "d_reason": ""}, "扣分原因不能为空"),
    ("1.3", {"d_points": "5", "d_reason": "太多"}, "扣分应在1-3分之间"),
    ("2.2", {}, "请选择档次"),
    ("3.2", {"vote_0": "0"}, "测评票数合计不能为0"),
    ("3.3", {"done": "5", "due": "4"}, "不能大于应完成任务数"),
])
def test_invalid_input_is_refused_and_kept_on_screen(w, as_user, session, code, form, message):
    resp = as_user("assessor").post(target_url(w["tb"]), data={"leaf": code, "version": "", **form})
    assert resp.status_code == 400
    page = text(resp)
    assert message in page and f"{code} " in page
    for value in form.values():
        if value:
            assert f'value="{value}"' in page
    assert score_count(session) == 0


def test_stale_save_keeps_the_other_value_and_the_users_input(w, as_user, session):
    c = as_user("assessor")
    c.post(target_url(w["tb"]), data={"leaf": "1.1", "version": "", "value": "18"})  # window 1
    resp = c.post(target_url(w["tb"]), data={"leaf": "1.1", "version": "", "value": "12",
                                             "comment": "第二个窗口"})  # window 2 saw no score
    assert resp.status_code == 409
    page = text(resp)
    assert "已在别处被修改" in page and "本次保存未执行" in page
    assert 'value="12"' in page and "第二个窗口" in page  # the user's input stays on screen
    assert "18.00" in page  # …beside what is saved now
    score = own_score(session, w, w["tb"], "1.1")
    assert score.points == D("18.00") and score.version == 1
    # an old version number is refused too
    c.post(target_url(w["tb"]), data={"leaf": "1.1", "version": "1", "value": "19"})
    resp = c.post(target_url(w["tb"]), data={"leaf": "1.1", "version": "1", "value": "11"})
    assert resp.status_code == 409
    assert own_score(session, w, w["tb"], "1.1").points == D("19.00")


def test_clear_removes_the_score(w, as_user, session):
    c = as_user("assessor")
    c.post(target_url(w["tb"]), data={"leaf": "2.1", "version": "", "count": "2"})
    assert 'value="clear"' in text(c.get(target_url(w["tb"])))
    resp = c.post(target_url(w["tb"]), data={"leaf": "2.1", "version": "1", "action": "clear"},
                  follow_redirects=True)
    assert "已清除“2.1 志愿服务”的评分" in text(resp)
    assert own_score(session, w, w["tb"], "2.1") is None


def test_unknown_or_inapplicable_leaf_is_refused(w, as_user, session):
    c = as_user("assessor")
    for code in ("9.9", "4.1", "1"):
        resp = c.post(target_url(w["tb"]), data={"leaf": code, "version": "", "value": "5"})
        assert resp.status_code == 400 and "不适用" in text(resp)
    assert score_count(session) == 0


def test_other_assessors_scores_are_shown_read_only(w, as_user, session):
    scoring.save_score(session, w["assessor2"], w["tb"], w["leaf"]["1.1"], {"value": "16"},
                       comment="学习记录不完整")
    session.commit()
    page = text(as_user("assessor").get(target_url(w["tb"])))
    assert "其他考核员的评分" in page
    assert "张考核" in page and "16.00" in page and "学习记录不完整" in page
    assert 'name="version" value=""' in page  # the assessor's own cell is still empty


@pytest.mark.parametrize("phase,label", [("publicity", "公示"), ("final", "已定档")])
def test_locked_phases_show_read_only_and_refuse_saving(w, as_user, session, phase, label):
    scoring.save_score(session, w["assessor"], w["tb"], w["leaf"]["1.1"], {"value": "17"})
    w["round"].phase = phase
    session.commit()
    c = as_user("assessor")
    page = text(c.get(target_url(w["tb"])))
    assert "评分已锁定" in page and "disabled" in page
    resp = c.post(target_url(w["tb"]), data={"leaf": "1.1", "version": "1", "value": "20"})
    assert resp.status_code == 403 and f"“{label}”阶段" in text(resp)
    assert own_score(session, w, w["tb"], "1.1").points == D("17.00")
