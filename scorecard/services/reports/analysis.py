"""Analysis reports of a round, all read from its ranking (so a finalized round answers from its
frozen snapshot): indicator loss analysis (失分分析), 片组 summary, compact per-target score cards
(the cards' read model, services/cards) and the comparison of two rounds of one scheme family
(same Scheme.code).

Each entry point checks the ranking permission (assessors, leaders, admins within scope)."""
from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session
from xlsxwriter.exceptions import XlsxWriterException

from scorecard.domain.analysis import (
    average,
    loss_rate,
    rank_move,
    tier_move,
    top_reasons,
)
from scorecard.domain.ranking import Ranking, RankingRow
from scorecard.models import Round, Scheme, User
from scorecard.services import permissions
from scorecard.services.cards.card import cards_of, round_cards, withheld
from scorecard.services.cards.model import ScoreCard
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.rounds.ranking import ranking_for

NO_GROUP = "未分组"


@contextlib.contextmanager
def writing(path):
    """Turn a file that cannot be written into a Chinese ServiceError."""
    try:
        yield
    except (OSError, XlsxWriterException) as exc:
        raise ServiceError(f"无法写入文件“{path}”：{exc}", "path") from None


def _ranking(session: Session, actor: User, rnd: Round, today: dt.date | None) -> Ranking:
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


def loss_rows(ranking: Ranking) -> list[LossRow]:
    top_name = {t.code: t.name for t in ranking.tops}
    reasons: dict[str, list[str]] = defaultdict(list)
    for d in ranking.deductions:
        reasons[d.leaf_code].append(d.reason)
    out = []
    for leaf in ranking.leaves:
        applicable = [r.leaf_scores[leaf.code] for r in ranking.rows if leaf.code in r.leaf_scores]
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
    ranking = _ranking(session, actor, rnd, today)
    return ranking, loss_rows(ranking)


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


def group_rows(ranking: Ranking) -> list[GroupRow]:
    """Per 片组 in name order (未分组 last): members by total, the average total, best and weakest."""
    groups: dict[str, list[RankingRow]] = defaultdict(list)
    for r in ranking.rows:
        groups[r.group or NO_GROUP].append(r)
    out = []
    for name in sorted(groups, key=lambda g: (g == NO_GROUP, g)):
        members = sorted(groups[name], key=lambda r: (-r.total, r.org_code))
        out.append(GroupRow(name, members, average([r.total for r in members]),
                            members[0] if members else None, members[-1] if members else None))
    return out


def group_summary(session: Session, actor: User, rnd: Round, today: dt.date | None = None):
    ranking = _ranking(session, actor, rnd, today)
    return ranking, group_rows(ranking)


# -- 评分卡 (compact, one per target): the score cards' read model (services/cards) --------------

def score_cards(session: Session, actor: User, rnd: Round, category: str | None = None,
                today: dt.date | None = None) -> tuple[Ranking, list[ScoreCard]]:
    """The cards of one category (or all); ServiceError for a category the round does not have."""
    return round_cards(session, actor, rnd, category, today)


@dataclass
class CategoryCards:
    ranking: Ranking
    category: str | None  # None: the round has no targets
    cards: list[ScoreCard]
    withheld: int = 0  # cards left out: the actor's home unit while scores are in progress


def category_cards(session: Session, actor: User, rnd: Round, category: str | None,
                   today: dt.date | None = None, first_by_default: bool = True) -> CategoryCards | None:
    """The cards of one category; without one, the first category's (the page) or all cards
    (first_by_default=False: the workbook). None for a category the round does not have (404)."""
    ranking = _ranking(session, actor, rnd, today)
    if category is not None and category not in ranking.categories:
        return None
    if category is None and first_by_default:
        if not ranking.categories:
            return CategoryCards(ranking, None, [])
        category = ranking.categories[0]
    return CategoryCards(ranking, category, cards_of(session, actor, rnd, ranking, category),
                         len(withheld(actor, rnd, category)))


def withheld_cards(actor: User, rnd: Round, category: str | None = None) -> int:
    """How many cards the 评分卡 report leaves out for the actor (their home unit, in progress)."""
    return len(withheld(actor, rnd, category))


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


def why_not_compare(rnd: Round, other: Round) -> str | None:
    """Why two rounds cannot be compared (None: they can): another round of the same scheme family."""
    if other.id == rnd.id:
        return "请选择另一轮考核进行对比"
    if other.scheme.code != rnd.scheme.code:
        return f"“{other.name}”使用的方案（{other.scheme.code}）与本轮（{rnd.scheme.code}）不是同一方案，不能对比"
    return None


def compare_rounds(session: Session, actor: User, rnd: Round, other: Round, today: dt.date | None = None):
    current = _ranking(session, actor, rnd, today)
    previous = _ranking(session, actor, other, today)
    reason = why_not_compare(rnd, other)
    if reason is not None:
        raise ServiceError(reason, "against")
    order = [t.name for t in rnd.scheme.tiers]
    return current, previous, compare_rows(current, previous, order)
