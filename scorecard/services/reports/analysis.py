"""Analysis reports of a round, all read from its ranking report (so a finalized round answers
from its frozen snapshot): indicator loss analysis (失分分析), 片组 summary, compact per-target
score cards, and the comparison of two rounds of one scheme family (same Scheme.code).

Each entry point checks the ranking permission (assessors, leaders, admins within scope)."""
from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session
from xlsxwriter.exceptions import XlsxWriterException

from scorecard.domain.analysis import average, loss_rate, rank_move, tier_move, top_reasons
from scorecard.domain.ranking import Ranking, RankingRow
from scorecard.models import Round, Scheme, User
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.rounds.ranking import ranking_for

NO_GROUP = "未分组"
ZERO = Decimal("0")


@contextlib.contextmanager
def writing(path):
    """Turn a file that cannot be written into a Chinese ServiceError."""
    try:
        yield
    except (OSError, XlsxWriterException) as exc:
        raise ServiceError(f"无法写入文件“{path}”：{exc}", "path") from None


def _report(session: Session, actor: User, rnd: Round, today: dt.date | None) -> Ranking:
    if not permissions.can_view_ranking(actor, rnd):
        raise PermissionDenied()
    return ranking_for(session, rnd, today)


# -- 失分分析 -------------------------------------------------------------------------------

@dataclass
class LossRow:
    code: str
    name: str
    top: str
    max_points: Decimal
    applicable: int  # targets the leaf applies to
    scored: int
    average: Decimal | None
    loss_rate: Decimal | None  # percent
    lost_units: int  # targets scored below the leaf's maximum
    deductions: int
    reasons: list[tuple[str, int]]

    @property
    def reasons_text(self) -> str:
        return "；".join(f"{r}（{n}次）" for r, n in self.reasons)


def loss_rows(report: Ranking) -> list[LossRow]:
    top_name = {t.code: t.name for t in report.tops}
    reasons: dict[str, list[str]] = defaultdict(list)
    for d in report.deductions:
        reasons[d.leaf_code].append(d.reason)
    out = []
    for leaf in report.leaves:
        applicable = [r.leaf_scores[leaf.code] for r in report.rows if leaf.code in r.leaf_scores]
        scored = [v for v in applicable if v is not None]
        out.append(LossRow(
            code=leaf.code, name=leaf.name, top=top_name.get(leaf.top_code, ""), max_points=leaf.max_points,
            applicable=len(applicable), scored=len(scored), average=average(scored),
            loss_rate=loss_rate(leaf.max_points, scored),
            lost_units=sum(1 for v in scored if v < leaf.max_points),
            deductions=len(reasons[leaf.code]), reasons=top_reasons(reasons[leaf.code]),
        ))
    return out


def loss_analysis(session: Session, actor: User, rnd: Round, today: dt.date | None = None):
    report = _report(session, actor, rnd, today)
    return report, loss_rows(report)


# -- 片组汇总 -------------------------------------------------------------------------------

@dataclass
class GroupRow:
    name: str
    members: list[RankingRow]
    average: Decimal | None
    best: RankingRow | None
    weakest: RankingRow | None

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def member_names(self) -> str:
        return "、".join(r.org_name for r in self.members)

    @staticmethod
    def label(row: RankingRow | None) -> str:
        return "" if row is None else f"{row.org_name}（{row.total:f}）"


def group_rows(report: Ranking) -> list[GroupRow]:
    """Per 片组 in name order (未分组 last): members by total, the average total, best and weakest."""
    groups: dict[str, list[RankingRow]] = defaultdict(list)
    for r in report.rows:
        groups[r.group or NO_GROUP].append(r)
    out = []
    for name in sorted(groups, key=lambda g: (g == NO_GROUP, g)):
        members = sorted(groups[name], key=lambda r: (-r.total, r.org_code))
        out.append(GroupRow(name, members, average([r.total for r in members]),
                            members[0] if members else None, members[-1] if members else None))
    return out


def group_summary(session: Session, actor: User, rnd: Round, today: dt.date | None = None):
    report = _report(session, actor, rnd, today)
    return report, group_rows(report)


# -- 评分卡 (compact, one per target) -----------------------------------------------------

@dataclass
class CardLine:
    level: str  # "top" | "leaf"
    code: str
    name: str
    max_points: Decimal
    score: Decimal | None
    reasons: str = ""

    @property
    def loss(self) -> Decimal | None:
        return None if self.score is None else self.max_points - self.score


@dataclass
class Card:
    row: RankingRow
    category_size: int
    lines: list[CardLine] = field(default_factory=list)


def cards(report: Ranking, category: str | None = None) -> list[Card]:
    """One compact card per target (in 总体 order): each first level with its applicable leaves,
    scores, points lost and deduction reasons."""
    reasons: dict[tuple[str, str], list[str]] = defaultdict(list)
    for d in report.deductions:
        reasons[(d.org_code, d.leaf_code)].append(f"扣{d.points:f}分：{d.reason}（{d.assessor}）")
    sizes = {c: len(report.rows_of(c)) for c in report.categories}
    order = {c: i for i, c in enumerate(report.categories)}
    rows = sorted(report.rows, key=lambda r: (order.get(r.category, len(order)), r.rank, r.org_code))
    out = []
    for row in rows:
        if category and row.category != category:
            continue
        card = Card(row, sizes.get(row.category, 0))
        for top in report.tops:
            leaves = [x for x in report.leaves if x.top_code == top.code and x.code in row.leaf_scores]
            if not leaves:
                continue
            card.lines.append(CardLine("top", top.code, top.name, sum((x.max_points for x in leaves), ZERO),
                                       row.subtotals.get(top.code)))
            card.lines += [CardLine("leaf", x.code, x.name, x.max_points, row.leaf_scores[x.code],
                                    "；".join(reasons[(row.org_code, x.code)])) for x in leaves]
        out.append(card)
    return out


def score_cards(session: Session, actor: User, rnd: Round, category: str | None = None,
                today: dt.date | None = None):
    report = _report(session, actor, rnd, today)
    if category and category not in report.categories:
        raise ServiceError(f"本轮没有考核类别“{category}”", "category")
    return report, cards(report, category)


# -- 两轮对比 -------------------------------------------------------------------------------

@dataclass
class CompareRow:
    org_code: str
    org_name: str
    category: str
    previous_total: Decimal | None
    total: Decimal | None
    previous_rank: int | None
    rank: int | None
    previous_tier: str | None
    tier: str | None
    tier_move: str

    @property
    def delta(self) -> Decimal | None:
        if self.total is None or self.previous_total is None:
            return None
        return self.total - self.previous_total

    @property
    def rank_move(self) -> int | None:
        if self.previous_rank is None or self.rank is None:
            return None
        return rank_move(self.previous_rank, self.rank)


def compare_rows(current: Ranking, previous: Ranking, tier_order: list[str]) -> list[CompareRow]:
    """Matched by organisation code: every target of the current round (by category, rank), then
    targets only in the previous round. Ranks are within each round's category."""
    before = {r.org_code: r for r in previous.rows}
    order = {c: i for i, c in enumerate(current.categories)}
    out = []
    for r in sorted(current.rows, key=lambda r: (order.get(r.category, 0), r.rank, r.org_code)):
        p = before.pop(r.org_code, None)
        out.append(CompareRow(r.org_code, r.org_name, r.category, p and p.total, r.total, p and p.rank,
                              r.rank, p and p.tier, r.tier, tier_move(p and p.tier, r.tier, tier_order)))
    prev_order = {c: i for i, c in enumerate(previous.categories)}
    for p in sorted(before.values(), key=lambda r: (prev_order.get(r.category, 0), r.rank, r.org_code)):
        out.append(CompareRow(p.org_code, p.org_name, p.category, p.total, None, p.rank, None, p.tier, None,
                              tier_move(p.tier, None, tier_order)))
    return out


def comparable_rounds(session: Session, actor: User, rnd: Round) -> list[Round]:
    """Other rounds of the same scheme family the actor may see, newest first."""
    rounds = session.scalars(
        select(Round).join(Scheme, Round.scheme_id == Scheme.id)
        .where(Scheme.code == rnd.scheme.code, Round.id != rnd.id).order_by(Round.id.desc())
    ).all()
    return [r for r in rounds if permissions.can_view_ranking(actor, r)]


def compare_rounds(session: Session, actor: User, rnd: Round, other: Round, today: dt.date | None = None):
    current = _report(session, actor, rnd, today)
    previous = _report(session, actor, other, today)
    if other.id == rnd.id:
        raise ServiceError("请选择另一轮考核进行对比", "against")
    if other.scheme.code != rnd.scheme.code:
        raise ServiceError(f"“{other.name}”使用的方案（{other.scheme.code}）与本轮（{rnd.scheme.code}）"
                           "不是同一方案，不能对比", "against")
    order = [t.name for t in rnd.scheme.tiers]
    return current, previous, compare_rows(current, previous, order)
