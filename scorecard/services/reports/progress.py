"""进度与逾期报表 of a round: per category, targets by self-assessment state (the counts of
services/selfassess.progress) and the assessors' scoring progress; per target, the cells each
assessor has scored; and the units past the self-assessment deadline that have not submitted
(services/selfassess.overdue), with the days overdue.

Cells: a target's applicable leaves. Every active assessor who may score the target (within the
round owner's and the target's scope, not their home unit: 回避) is expected to score each of
them; an assessor's cells on a target they may not score are shown (if any) but not counted.
Same permission as the other reports: assessors, leaders and admins within scope."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scorecard.domain.numbers import q2_fraction
from scorecard.models import (
    Organisation,
    Round,
    RoundTarget,
    Score,
    SelfAssessment,
    User,
)
from scorecard.models.selfassess import TARGET_STATUS
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied
from scorecard.services.rounds.ranking import round_structure
from scorecard.services.selfassess import fill as selfassess

TOTAL_LABEL = "合计"


def completion(scored: int, expected: int) -> Decimal | None:
    """Scored share of the expected cells in percent, rounded half up to 0.01 (None: nothing expected)."""
    return q2_fraction(Fraction(scored * 100, expected)) if expected else None


@dataclass
class CategoryProgress:
    category: str
    targets: int
    counts: dict[str, int]  # self-assessment status → targets (selfassess.STATUS_ORDER)
    expected: int  # cells: applicable leaves × assessors who may score, summed over targets
    scored: int

    @property
    def rate(self) -> Decimal | None:
        return completion(self.scored, self.expected)


@dataclass
class Assessor:
    id: int
    label: str


@dataclass
class TargetProgress:
    org_code: str
    org_name: str
    category: str
    group: str
    status: str  # self-assessment status label
    leaves: int  # applicable leaves: the cells expected of each assessor
    by_assessor: dict[int, int | None]  # assessor id → cells scored; None: may not score (回避)
    expected: int
    scored: int

    @property
    def rate(self) -> Decimal | None:
        return completion(self.scored, self.expected)


@dataclass
class OverdueRow:
    number: int
    org_code: str
    org_name: str
    category: str
    group: str
    status: str
    days: int


@dataclass
class ProgressReport:
    round_code: str
    round_name: str
    issuer: str
    date: str  # ISO
    phase: str
    self_deadline: dt.date | None
    categories: list[CategoryProgress]
    assessors: list[Assessor]
    targets: list[TargetProgress]
    overdue: list[OverdueRow] = field(default_factory=list)

    @property
    def deadline_text(self) -> str:
        d = self.self_deadline
        return f"{d.year}年{d.month}月{d.day}日" if d else "未设置"


def _status_label(status: str) -> str:
    return TARGET_STATUS.get(status, status)


def _may_score(user: User, rnd: Round, target: RoundTarget) -> bool:
    return (user.active and permissions.in_scope(user, rnd.owner_org) and permissions.in_scope(user, target.org)
            and not permissions.is_home_unit(user, target.org))


def _assessors(session: Session, rnd: Round, scorer_ids: set[int]) -> list[User]:
    """Active assessors who may score in the round, and anyone else who has scored in it."""
    users = session.scalars(select(User).where(permissions.assessor_accounts()).order_by(User.id)).all()
    return [u for u in users if (u.active and permissions.in_scope(u, rnd.owner_org)) or u.id in scorer_ids]


def _labels(users: list[User]) -> list[Assessor]:
    names = [u.display_name for u in users]
    return [Assessor(u.id, u.display_name if names.count(u.display_name) == 1 else f"{u.display_name}（{u.username}）")
            for u in users]


def progress_report(session: Session, actor: User, rnd: Round, today: dt.date | None = None) -> ProgressReport:
    if not permissions.can_view_progress(actor, rnd):
        raise PermissionDenied()
    today = today or selfassess.local_today()
    st = round_structure(rnd)
    cells: dict[tuple[int, int], set[int]] = defaultdict(set)  # (target, assessor) → leaf ids
    for target_id, indicator_id, assessor_id in session.execute(
            select(Score.target_id, Score.indicator_id, Score.assessor_id)
            .join(RoundTarget, Score.target_id == RoundTarget.id).where(RoundTarget.round_id == rnd.id)):
        cells[(target_id, assessor_id)].add(indicator_id)
    users = _assessors(session, rnd, {a for _, a in cells})
    statuses = dict(session.execute(select(SelfAssessment.target_id, SelfAssessment.status)
                                    .join(RoundTarget).where(RoundTarget.round_id == rnd.id)).all())
    loaded = session.scalars(select(RoundTarget).where(RoundTarget.round_id == rnd.id).options(
        selectinload(RoundTarget.org).selectinload(Organisation.group), selectinload(RoundTarget.category))).all()
    leaf_ids: dict[str, set[int]] = {}
    targets, per_category = [], defaultdict(lambda: [0, 0])
    counted = selfassess.progress(session, rnd)  # per category, in the round's order
    order = {row["category"].id: n for n, row in enumerate(counted)}
    for t in sorted(loaded, key=lambda t: (order.get(t.category_id, len(order)), t.org.code)):
        cat = t.category.name
        if cat not in leaf_ids:
            leaf_ids[cat] = {leaf.id for leaf in st.leaves_for(cat)}
        applicable = leaf_ids[cat]
        by_assessor, expected, scored = {}, 0, 0
        for u in users:
            done = len(cells.get((t.id, u.id), set()) & applicable)
            if _may_score(u, rnd, t):
                by_assessor[u.id] = done
                expected += len(applicable)
                scored += done
            else:
                by_assessor[u.id] = done or None
        per_category[t.category_id][0] += expected
        per_category[t.category_id][1] += scored
        targets.append(TargetProgress(t.org.code, t.org.name, cat, t.org.group.name if t.org.group else "",
                                      _status_label(statuses.get(t.id, "not_started")), len(applicable),
                                      by_assessor, expected, scored))
    categories = [CategoryProgress(row["category"].name, row["total"], row["counts"],
                                   *per_category[row["category"].id])
                  for row in counted]
    late = sorted(selfassess.overdue(session, rnd, today),
                  key=lambda ts: (order.get(ts[0].category_id, len(order)), ts[0].org.code))
    overdue = [OverdueRow(n, t.org.code, t.org.name, t.category.name, t.org.group.name if t.org.group else "",
                          _status_label(status), (today - rnd.self_deadline).days)
               for n, (t, status) in enumerate(late, 1)]
    return ProgressReport(rnd.code, rnd.name, rnd.owner_org.name, today.isoformat(), rnd.phase_label,
                          rnd.self_deadline, categories, _labels(users), targets, overdue)


def totals(report: ProgressReport) -> CategoryProgress:
    """The 合计 row over every category."""
    counts = {s: sum(c.counts[s] for c in report.categories) for s in selfassess.STATUS_ORDER}
    return CategoryProgress(TOTAL_LABEL, sum(c.targets for c in report.categories), counts,
                            sum(c.expected for c in report.categories), sum(c.scored for c in report.categories))
