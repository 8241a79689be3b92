"""How a ranking is computed, in plain Chinese: the one text the ranking page and the ranking
workbook's 说明 sheet both show, so the two cannot disagree. It states what domain/scoring.py,
domain/tiers.py and domain/adjudication.py do; change it with them."""
from __future__ import annotations

from decimal import Decimal

from scorecard.domain.numbers import plain
from scorecard.domain.ranking import RankingRules

Section = tuple[str, list[str]]


def explain(rules: RankingRules) -> list[Section]:
    """(heading, lines) per step, from a leaf's score to the tier."""
    full = plain(rules.full_marks if rules.full_marks is not None else Decimal(100))
    return [
        ("一、指标得分", _leaf_lines(rules)),
        ("二、基础分", _base_lines(rules, full)),
        ("三、总分", [_total_line(rules)]),
        ("四、排名", [_rank_line(rules)]),
        ("五、等次", _tier_lines(rules)),
    ]


def _leaf_lines(rules: RankingRules) -> list[str]:
    trim = "（本轮去掉一个最高分和一个最低分，考核员不少于5人时适用）" if rules.trimmed else ""
    mean = (f"每个末级指标的最终得分为各考核员评分的平均值{trim}，四舍五入保留两位小数；"
            "未评分的指标按0分计，并在“备注”中注明未评分项数。")
    votes = ("测评类指标录入了述职评议票的，按票数计分：得分 = 分值 × Σ(选项权重 × 票数) ÷ 总票数，"
             "四舍五入保留两位小数，取代考核员评分的平均值。")
    # domain/adjudication.PRECEDENCE: appeal > verification > votes > the assessors' mean
    replaced = ("实地核验改变了得分的，以核验得分为准；公示期申诉复核改分的，以复核后得分为准（优先于实地核验和述职评议）；"
                "二者均在“备注”中注明原分→新分。")
    return [mean, votes, replaced]


def _base_lines(rules: RankingRules, full: str) -> list[str]:
    lines = ["一级指标得分 = 其下适用于本类别的末级指标得分之和；原始分 = 各一级指标得分之和。"]
    if rules.convert:
        lines.append(f"本方案折算：类别适用指标的满分合计（适用满分）不是{full}分的，"
                     f"基础分 = 原始分 × {full} ÷ 适用满分，四舍五入保留两位小数；其余类别基础分即原始分。")
    else:
        lines.append("本方案不折算：基础分即原始分。")
    return lines


def _total_line(rules: RankingRules) -> str:
    cap = f"，加分合计不超过{plain(rules.bonus_cap)}分" if rules.bonus_cap is not None else ""
    return (f"总分 = 基础分 + 加分 − 减分。每个加分项计入的分值不超过该项上限{cap}；"
            "减分为各减分项分值之和，每个减分项（多次录入的累计）计入的分值不超过该项上限。"
            "超过上限的按上限计，并在“备注”中注明。因有加分，总分可能超过满分。")


def _rank_line(rules: RankingRules) -> str:
    if rules.tie_break:
        names = dict(rules.top_names)
        order = "、".join(f"“{names.get(c, c)}”得分" for c in rules.tie_break)
        tie = f"总分相同时依次比较{order}，高者在前；仍相同的"
    else:
        tie = "总分相同的"
    return f"只在同一考核类别内排名，按总分从高到低；{tie}名次并列，其后名次顺延（如1、2、2、4）。"


def _tier_lines(rules: RankingRules) -> list[str]:
    tiers = rules.tiers
    parts, quotas = [], []
    for i, tier in enumerate(tiers):
        # Whoever reaches no threshold (or is left out by a quota) gets the lowest tier.
        if i and i == len(tiers) - 1:
            parts.append(f"{tier.name}：{plain(tiers[i - 1].threshold)}分以下")
        else:
            parts.append(f"{tier.name}：{plain(tier.threshold)}分及以上")
        if tier.quota_pct is not None:
            quotas.append(f"“{tier.name}”不超过本类别考核对象的{plain(tier.quota_pct)}%（向下取整）")
    lines = ["按总分确定等次：" + "；".join(parts) + "。"] if parts else []
    if quotas:
        lines.append("名额限制：" + "；".join(quotas) + "。按名次先后确定，超出名额的依次降入下一等次；"
                     "名额边界名次并列的一并给予较高等次，并在“备注”中注明超出名额。")
    cap = f"最高为“{rules.veto_cap}”" if rules.veto_cap else "定为最低等次"
    lines.append(f"被一票否决的，等次{cap}，并在“备注”中写明原因；手动调整等次须写明原因，"
                 "以调整后的等次为准（一票否决的也不例外），同样见“备注”。")
    return lines
