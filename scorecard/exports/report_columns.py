"""Column specs of the analysis reports (失分分析, 片组汇总, 评分卡, 两轮对比, 进度与逾期): one definition
feeds the HTML table (templates/reports/) and the Excel sheet (exports/reports.py)."""
from __future__ import annotations

from typing import Callable

from scorecard.exports.columns import Column
from scorecard.models.selfassess import TARGET_STATUS
from scorecard.services.cards.model import CardLeaf, CardTop, ScoreCard
from scorecard.services.selfassess.fill import STATUS_ORDER

MOVE_FORMAT = "+0;-0;0"  # rank movement: +2 / -1 / 0
DELTA_FORMAT = "+0.00;-0.00;0.00"


def loss_columns() -> list[Column]:
    return [
        Column("top", "一级指标", "text", 14, lambda r: r.top),
        Column("code", "指标编码", "text", 8, lambda r: r.code),
        Column("name", "指标名称", "text", 24, lambda r: r.name),
        Column("max", "分值", "num", 7, lambda r: r.max_points),
        Column("applicable", "适用对象数", "int", 8, lambda r: r.applicable, group="考核对象"),
        Column("scored", "已评分", "int", 8, lambda r: r.scored, group="考核对象"),
        Column("lost_units", "失分单位数", "int", 8, lambda r: r.lost_units, group="考核对象"),
        Column("average", "平均得分", "num", 9, lambda r: r.average, group="得分"),
        Column("loss_rate", "失分率(%)", "num", 9, lambda r: r.loss_rate, group="得分"),
        Column("deductions", "扣分次数", "int", 8, lambda r: r.deductions, group="扣分"),
        Column("reasons", "最常见的扣分原因", "text", 50, lambda r: r.reasons_text, group="扣分"),
    ]


def group_columns() -> list[Column]:
    return [
        Column("name", "片组", "text", 12, lambda g: g.name),
        Column("count", "成员数", "int", 7, lambda g: g.count),
        Column("average", "平均总分", "num", 9, lambda g: g.average),
        Column("best", "最高", "text", 24, lambda g: g.label(g.best), group="成员总分"),
        Column("weakest", "最低", "text", 24, lambda g: g.label(g.weakest), group="成员总分"),
        Column("members", "成员单位", "text", 60, lambda g: g.member_names),
    ]


def card_summary_columns() -> list[Column]:
    """The one-row summary above a card's indicator table (items: ScoreCard)."""
    return [
        Column("base", "基础分", "num", 9, lambda c: c.base),
        Column("bonus", "加分", "num", 7, lambda c: c.bonus),
        Column("penalty", "减分", "num", 7, lambda c: c.penalty),
        Column("total", "总分", "num", 9, lambda c: c.total),
        Column("rank", "类别内排名", "text", 10, lambda c: f"{c.rank} / {c.category_size}"),
        Column("tier", "等次", "text", 8, lambda c: c.tier),
    ]


def card_lines(card: ScoreCard) -> list[CardTop | CardLeaf]:
    """The compact card's indicator table: each first level, then its applicable leaves."""
    return [line for top in card.tops for line in (top, *top.leaves)]


def _top_or_leaf(of_top: Callable[[CardTop], object], of_leaf: Callable[[CardLeaf], object]):
    return lambda line: of_top(line) if isinstance(line, CardTop) else of_leaf(line)


def deduction_reasons(leaf: CardLeaf) -> str:
    return "；".join(f"扣{points:f}分：{reason}（{who}）" for who, points, reason in leaf.deductions)


def card_columns() -> list[Column]:
    """Columns of card_lines: first levels show their applicable full marks and subtotal."""
    return [
        Column("code", "指标编码", "text", 10, lambda line: line.code),
        Column("name", "指标", "text", 30, lambda line: line.name),
        Column("max", "分值", "num", 8, _top_or_leaf(lambda t: t.full, lambda leaf: leaf.max_points)),
        Column("score", "得分", "num", 8, _top_or_leaf(lambda t: t.subtotal, lambda leaf: leaf.final)),
        Column("loss", "失分", "num", 8, lambda line: line.deducted),
        Column("reasons", "扣分原因", "text", 50, _top_or_leaf(lambda t: "", deduction_reasons)),
    ]


def compare_columns() -> list[Column]:
    return [
        Column("org_code", "组织编码", "text", 10, lambda c: c.org_code),
        Column("org_name", "组织名称", "text", 30, lambda c: c.org_name),
        Column("category", "类别", "text", 10, lambda c: c.category),
        Column("previous_total", "上轮", "num", 9, lambda c: c.previous_total, group="总分"),
        Column("total", "本轮", "num", 9, lambda c: c.total, group="总分"),
        Column("delta", "变化", "num", 9, lambda c: c.delta, group="总分"),
        Column("previous_rank", "上轮", "int", 7, lambda c: c.previous_rank, group="类别内排名"),
        Column("rank", "本轮", "int", 7, lambda c: c.rank, group="类别内排名"),
        Column("rank_move", "升降", "int", 7, lambda c: c.rank_move, group="类别内排名"),
        Column("previous_tier", "上轮", "text", 7, lambda c: c.previous_tier, group="等次"),
        Column("tier", "本轮", "text", 7, lambda c: c.tier, group="等次"),
        Column("tier_move", "变化", "text", 7, lambda c: c.tier_move, group="等次"),
    ]


def group_member_columns() -> list[Column]:
    """片组成员 sheet: one row per (group, member); items are (group name, RankingRow)."""
    return [
        Column("group", "片组", "text", 12, lambda item: item[0]),
        Column("org_code", "组织编码", "text", 10, lambda item: item[1].org_code),
        Column("org_name", "组织名称", "text", 30, lambda item: item[1].org_name),
        Column("category", "类别", "text", 10, lambda item: item[1].category),
        Column("total", "总分", "num", 9, lambda item: item[1].total),
        Column("rank", "类别内排名", "int", 8, lambda item: item[1].rank),
        Column("tier", "等次", "text", 7, lambda item: item[1].tier),
    ]


# -- 进度与逾期 (services/reports/progress.py) ------------------------------------------------

def progress_columns() -> list[Column]:
    """Per category: targets by self-assessment state, then the assessors' cells."""
    cols = [
        Column("category", "考核类别", "text", 12, lambda c: c.category),
        Column("targets", "考核对象", "int", 8, lambda c: c.targets),
    ]
    cols += [Column(f"status:{s}", TARGET_STATUS[s], "int", 8, lambda c, s=s: c.counts.get(s, 0), group="自评状态")
             for s in STATUS_ORDER]
    return cols + [
        Column("expected", "应评单元格", "int", 9, lambda c: c.expected, group="考核员评分"),
        Column("scored", "已评单元格", "int", 9, lambda c: c.scored, group="考核员评分"),
        Column("rate", "完成率(%)", "num", 9, lambda c: c.rate, group="考核员评分"),
    ]


def scoring_columns(assessors) -> list[Column]:
    """Per target: cells each assessor has scored (blank: 回避), and the totals."""
    cols = [
        Column("org_code", "组织编码", "text", 10, lambda t: t.org_code),
        Column("org_name", "组织名称", "text", 30, lambda t: t.org_name),
        Column("category", "类别", "text", 10, lambda t: t.category),
        Column("status", "自评状态", "text", 9, lambda t: t.status),
        Column("leaves", "每位考核员应评", "int", 9, lambda t: t.leaves),
    ]
    cols += [Column(f"assessor:{a.id}", a.label, "int", 9, lambda t, i=a.id: t.by_assessor.get(i),
                    group="各考核员已评单元格") for a in assessors]
    return cols + [
        Column("expected", "应评", "int", 7, lambda t: t.expected, group="合计"),
        Column("scored", "已评", "int", 7, lambda t: t.scored, group="合计"),
        Column("rate", "完成率(%)", "num", 9, lambda t: t.rate, group="合计"),
    ]


def overdue_columns() -> list[Column]:
    return [
        Column("number", "序号", "int", 6, lambda o: o.number),
        Column("org_code", "组织编码", "text", 10, lambda o: o.org_code),
        Column("org_name", "组织名称", "text", 30, lambda o: o.org_name),
        Column("category", "类别", "text", 10, lambda o: o.category),
        Column("group", "片组", "text", 12, lambda o: o.group),
        Column("status", "自评状态", "text", 9, lambda o: o.status),
        Column("days", "逾期天数", "int", 8, lambda o: o.days),
    ]
