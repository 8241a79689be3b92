"""A round's dashboard (数据看板): tiers per category, the distribution of totals, the weakest
indicators, 片组 averages, scoring progress and movement against the previous round of the same
scheme family. Every figure is read from the ranking (services/rounds/ranking.ranking_for, so a
finalized round answers from its frozen snapshot) and computed by domain/stats.py."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scorecard.domain.ranking import Ranking, RankingRow
from scorecard.domain.stats import histogram, loss_rate, mean, score_bins, tier_move
from scorecard.models import OrgGroup, Round, Scheme, User
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied
from scorecard.services.rounds.ranking import ranking_for
from scorecard.services.selfassess.status import SelfAssessProgress, selfassess_progress

NO_GROUP = "未分组"
WEAKEST = 10
MOVES = {"up": "上升", "same": "持平", "down": "下降", "new": "新纳入", "unknown": "—"}


@dataclass
class TierCount:
    category: str
    counts: dict[str, int]  # tier name -> targets
    total: int


@dataclass
class HistogramRow:
    label: str
    counts: dict[str, int]  # category -> targets
    total: int


@dataclass
class WeakLeaf:
    code: str
    name: str
    max_points: Decimal
    scored: int
    mean: Decimal
    loss_rate: Decimal  # percent


@dataclass
class GroupRow:
    name: str
    targets: int
    incomplete: int
    mean: Decimal | None
    best: Decimal | None
    worst: Decimal | None


@dataclass
class CategoryProgress:
    category: str
    targets: int
    full: int
    partly: int
    none: int


@dataclass
class LeafProgress:
    code: str
    name: str
    applicable: int
    scored: int

    @property
    def missing(self) -> int:
        return self.applicable - self.scored


@dataclass
class MoveRow:
    org_code: str
    org_name: str
    category: str
    previous_total: Decimal | None
    total: Decimal
    delta: Decimal | None
    previous_tier: str
    tier: str
    move: str  # up | same | down | new | unknown

    @property
    def move_label(self) -> str:
        return MOVES[self.move]


@dataclass
class Movement:
    previous_id: int
    previous_code: str
    previous_name: str
    previous_phase: str
    rows: list[MoveRow]

    def summary(self) -> dict[str, int]:
        counts = Counter(r.move for r in self.rows)
        return {MOVES[k]: counts.get(k, 0) for k in ("up", "same", "down", "new")}


@dataclass
class Dashboard:
    ranking: Ranking
    tier_names: list[str]
    tiers: list[TierCount]
    bins: list[str]
    histogram: list[HistogramRow]
    weakest: list[WeakLeaf]
    groups: list[GroupRow]
    progress: list[CategoryProgress]
    leaf_progress: list[LeafProgress]
    movement: Movement | None
    selfassess: SelfAssessProgress | None = None
    incomplete: int = 0
    notes: list[str] = field(default_factory=list)


def round_dashboard(session: Session, actor: User, rnd: Round) -> Dashboard:
    if not permissions.can_view_dashboard(actor, rnd):
        raise PermissionDenied("您没有权限查看该轮次的数据看板")
    ranking = ranking_for(session, rnd)
    tier_names = _tier_names(rnd, ranking)
    bins = score_bins(ranking.full_marks)
    previous = previous_round(session, actor, rnd)
    incomplete = sum(1 for r in ranking.rows if r.missing)
    dash = Dashboard(
        ranking=ranking, tier_names=tier_names, tiers=tier_distribution(ranking, tier_names),
        bins=[b.label for b in bins], histogram=total_histogram(ranking),
        weakest=weakest_leaves(ranking),
        groups=group_averages(ranking, list(session.scalars(select(OrgGroup.name).order_by(OrgGroup.id)))),
        progress=category_progress(ranking), leaf_progress=leaf_progress(ranking),
        movement=movement(session, previous, ranking, tier_names) if previous else None,
        selfassess=selfassess_progress(session, rnd), incomplete=incomplete,
    )
    if incomplete:
        dash.notes.append(f"有{incomplete}个考核对象尚未评完，未评分的指标按0分计入总分，其总分和所在片组的平均分偏低。")
    if not ranking.final:
        dash.notes.append(f"本轮次处于“{ranking.phase}”阶段，以上数据为当前计算结果，定档前仍可能变化。")
    return dash


def _tier_names(rnd: Round, ranking: Ranking) -> list[str]:
    names = [t.name for t in rnd.scheme.tiers]
    for r in ranking.rows:  # a snapshot may carry names the scheme no longer lists
        if r.tier and r.tier not in names:
            names.append(r.tier)
    return names


def tier_distribution(ranking: Ranking, tier_names: list[str]) -> list[TierCount]:
    out = []
    for cat in ranking.categories:
        counts = Counter(r.tier for r in ranking.rows_of(cat))
        out.append(TierCount(cat, {t: counts.get(t, 0) for t in tier_names}, sum(counts.values())))
    return out


def total_histogram(ranking: Ranking) -> list[HistogramRow]:
    bins = score_bins(ranking.full_marks)
    per_cat = {cat: histogram(bins, [r.total for r in ranking.rows_of(cat)]) for cat in ranking.categories}
    return [HistogramRow(b.label, {cat: per_cat[cat][i] for cat in ranking.categories},
                         sum(per_cat[cat][i] for cat in ranking.categories))
            for i, b in enumerate(bins)]


def weakest_leaves(ranking: Ranking, limit: int = WEAKEST) -> list[WeakLeaf]:
    """Leaves by average loss rate, highest first (ties by leaf order); unscored leaves left out."""
    out = []
    for leaf in ranking.leaves:
        values = [r.leaf_scores[leaf.code] for r in ranking.rows
                  if r.leaf_scores.get(leaf.code) is not None]
        rate = loss_rate(leaf.max_points, values)
        if rate is not None:
            out.append(WeakLeaf(leaf.code, leaf.name, leaf.max_points, len(values), mean(values), rate))
    order = {leaf.code: i for i, leaf in enumerate(ranking.leaves)}
    out.sort(key=lambda w: (-w.loss_rate, order[w.code]))
    return out[:limit]


def group_averages(ranking: Ranking, order: list[str] | None = None) -> list[GroupRow]:
    """Per 片组 in the given order (the order groups were created; others by name), then 未分组."""
    groups: dict[str, list[RankingRow]] = {}
    for r in ranking.rows:
        groups.setdefault(r.group or NO_GROUP, []).append(r)
    rank = {name: i for i, name in enumerate(order or [])}
    names = sorted((n for n in groups if n != NO_GROUP), key=lambda n: (rank.get(n, len(rank)), n))
    names += [NO_GROUP] if NO_GROUP in groups else []
    out = []
    for name in names:
        totals = [r.total for r in groups[name]]
        out.append(GroupRow(name, len(totals), sum(1 for r in groups[name] if r.missing),
                            mean(totals), max(totals), min(totals)))
    return out


def category_progress(ranking: Ranking) -> list[CategoryProgress]:
    out = []
    for cat in ranking.categories:
        rows = ranking.rows_of(cat)
        full = partly = none = 0
        for r in rows:
            scored = sum(1 for v in r.leaf_scores.values() if v is not None)
            if scored == len(r.leaf_scores):
                full += 1
            elif scored:
                partly += 1
            else:
                none += 1
        out.append(CategoryProgress(cat, len(rows), full, partly, none))
    return out


def leaf_progress(ranking: Ranking) -> list[LeafProgress]:
    out = []
    for leaf in ranking.leaves:
        cells = [r.leaf_scores[leaf.code] for r in ranking.rows if leaf.code in r.leaf_scores]
        out.append(LeafProgress(leaf.code, leaf.name, len(cells), sum(1 for v in cells if v is not None)))
    return out


def previous_round(session: Session, actor: User, rnd: Round) -> Round | None:
    """The latest earlier round (by creation) of the same scheme family (Scheme.code) that the
    actor may view."""
    family = session.scalars(
        select(Round).join(Scheme, Round.scheme_id == Scheme.id)
        .where(Scheme.code == rnd.scheme.code, Round.id != rnd.id)
    ).all()
    key = (rnd.created_at, rnd.id)
    earlier = [r for r in family if (r.created_at, r.id) < key and permissions.can_view_dashboard(actor, r)]
    return max(earlier, key=lambda r: (r.created_at, r.id), default=None)


def movement(session: Session, previous: Round, ranking: Ranking, tier_names: list[str]) -> Movement:
    before = {r.org_code: r for r in ranking_for(session, previous).rows}
    rows = []
    for r in ranking.rows:
        p = before.get(r.org_code)
        if p is None:
            rows.append(MoveRow(r.org_code, r.org_name, r.category, None, r.total, None, "", r.tier, "new"))
        else:
            rows.append(MoveRow(r.org_code, r.org_name, r.category, p.total, r.total, r.total - p.total,
                                p.tier, r.tier, tier_move(p.tier, r.tier, tier_names)))
    rows.sort(key=lambda m: (m.delta is None, -(m.delta or 0), m.org_code))
    return Movement(previous.id, previous.code, previous.name, previous.phase_label, rows)
