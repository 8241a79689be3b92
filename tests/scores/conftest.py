"""A committed world for the score views: every rule type, a round in 审核评分, and accounts."""
from __future__ import annotations

import pytest

from tests.conftest import login

# (code, name, max, rule type, params, top code, top name, categories)
ALL_RULES = [
    ("1.1", "第一议题", "20", "direct", {}, "1", "政治建设", ()),
    ("1.2", "三会一课", "10", "deduct", {"per": "2"}, "1", "政治建设", ()),
    ("1.3", "谈心谈话", "10", "deduct", {"min": "1", "max": "3"}, "1", "政治建设", ()),
    ("2.1", "志愿服务", "10", "count", {"per": "2"}, "2", "组织建设", ()),
    ("2.2", "主题党日", "10", "grade", {}, "2", "组织建设", ()),
    ("2.3", "参学率", "10", "ratio", {"target": "100"}, "2", "组织建设", ()),
    ("3.1", "阵地建设", "10", "check", {}, "3", "作用发挥", ()),
    ("3.2", "群众满意度", "10", "vote", {}, "3", "作用发挥", ()),
    ("3.3", "责任清单", "10", "tasks", {}, "3", "作用发挥", ()),
    ("4.1", "网格治理", "10", "direct", {}, "4", "社区治理", ("社区",)),  # not for 机关
]


@pytest.fixture
def w(make, session):
    """world() + a scheme with all eight rule types + round R1 (审核评分) over 甲局 and 乙局.

    assessor_a works in 甲局 (home unit → 回避); assessor_b is scoped to 乙局 only."""
    world = make.world()
    world["assessor_b"] = make.user("assessor_b", "assessor", world["b"])
    world["assessor2"] = make.user("assessor2", "assessor", world["root"], display_name="张考核")
    make.category("社区")
    with session.no_autoflush:  # the 社区 leaf's category lookup must not flush half-built rows
        scheme = make.scheme(leaves=ALL_RULES)
    rnd = make.round(scheme, world["root"], [world["a"], world["b"]])
    world.update(scheme=scheme, round=rnd, leaf={i.code: i for i in scheme.indicators})
    world["ta"], world["tb"] = rnd.targets
    world["category"] = world["a"].category
    session.commit()
    return world


@pytest.fixture
def as_user(client):
    def _login(username: str):
        login(client, username)
        return client
    return _login
