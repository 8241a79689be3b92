"""考核负担统计 (C6: 「严格控制面向基层的督查、检查、考核总量」): what a scheme and a round ask of
each unit — indicators (leaves), items that require evidence (an indicator's 须提供佐证 flag) or
suggest it (佐证提示), deadlines — and the evidence the units actually uploaded and cited. The
burden report and the scheme page both show this one computation.

Deadlines: the round's date/time columns named *deadline* or *due* that are set. Uploads:
evidence files of the unit's organisation uploaded in the scheme's year.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from scorecard.models import Evidence, Indicator, Organisation, Round, Scheme, User
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied
from scorecard.services.rounds.ranking import round_structure
from scorecard.services.schemes.structure import structure
from scorecard.services.selfassess.status import cited_evidence


def requires_evidence(ind: Indicator) -> bool:
    return bool(ind.evidence_required)


def suggests_evidence(ind: Indicator) -> bool:
    return bool((ind.evidence_hint or "").strip())


def deadline_columns() -> list[str]:
    return [c.name for c in Round.__table__.columns if "deadline" in c.name or c.name.endswith(("_due", "due_at", "due_date"))]


def round_deadlines(rnd: Round) -> int:
    return sum(1 for name in deadline_columns() if getattr(rnd, name, None) is not None)


@dataclass
class CategoryBurden:
    """What one category's units face: applicable leaves, their full marks, leaves with a hint."""

    name: str
    leaves: int
    full_marks: Decimal
    hinted: int


@dataclass
class SchemeBurden:
    scheme_id: int
    code: str
    name: str
    version: int
    year: int
    status: str
    indicators: int
    leaves: int
    evidence: int  # leaves that require evidence (须提供佐证)
    hinted: int  # leaves that suggest evidence (佐证提示)
    categories: list[CategoryBurden]
    methods: dict[str, int]  # 考核方式 -> leaves assessed that way
    rounds: int
    deadlines: int
    growth: list[str] = field(default_factory=list)

    @property
    def max_category(self) -> int:
        """The most leaves one unit faces (all leaves when the scheme has no categories)."""
        return max((c.leaves for c in self.categories), default=self.leaves)

    @property
    def growth_text(self) -> str:
        return "；".join(self.growth)

    @property
    def categories_text(self) -> str:
        return "、".join(f"{c.name} {c.leaves}项" for c in self.categories)


@dataclass
class UnitBurden:
    org_code: str
    org_name: str
    category: str
    leaves: int
    evidence: int
    deadlines: int
    uploads: int
    cited: int  # distinct evidence cited by its self-assessment in this round


@dataclass
class RoundBurden:
    round_id: int
    code: str
    name: str
    scheme: str
    year: int
    phase: str
    targets: int
    leaves: int  # distinct leaves of the scheme
    evidence: int
    deadlines: int
    units: list[UnitBurden]

    @property
    def max_leaves_per_unit(self) -> int:
        return max((u.leaves for u in self.units), default=0)

    @property
    def uploads(self) -> int:
        return sum(u.uploads for u in self.units)


@dataclass
class UnitYear:
    year: int
    org_code: str
    org_name: str
    rounds: int
    leaves: int
    evidence: int
    deadlines: int
    uploads: int


@dataclass
class BurdenReport:
    schemes: list[SchemeBurden]
    rounds: list[RoundBurden]
    units: list[UnitYear]


def scheme_burden(session: Session, scheme: Scheme, previous: Scheme | None = None) -> SchemeBurden:
    """A scheme version's burden; with `previous` (the version before), what grew (C6: warn)."""
    st = structure(scheme)
    leaves = [st.leaf(c) for c in st.leaf_codes]
    rounds = session.scalars(select(Round).where(Round.scheme_id == scheme.id)).all()
    categories = []
    for name in st.category_names():
        found = st.leaves_for(name)
        categories.append(CategoryBurden(name, len(found), sum((x.max_points for x in found), Decimal(0)),
                                         sum(1 for x in found if suggests_evidence(x))))
    out = SchemeBurden(scheme.id, scheme.code, scheme.name, scheme.version, scheme.year, scheme.status_label,
                       len(scheme.indicators), len(leaves), sum(1 for x in leaves if requires_evidence(x)),
                       sum(1 for x in leaves if suggests_evidence(x)), categories,
                       dict(Counter(m for x in leaves for m in (x.methods or []))),
                       len(rounds), sum(round_deadlines(r) for r in rounds))
    if previous is not None:
        out.growth = burden_growth(scheme_burden(session, previous), out)
    return out


def burden_growth(old: SchemeBurden, new: SchemeBurden) -> list[str]:
    """Warnings when a version asks more of units than the one before (C6: warn when it grows)."""
    out = []
    if new.leaves > old.leaves:
        out.append(f"末级指标由{old.leaves}项增加到{new.leaves}项（第{old.version}版→第{new.version}版）")
    if new.evidence > old.evidence:
        out.append(f"须提供佐证的指标由{old.evidence}项增加到{new.evidence}项")
    if new.hinted > old.hinted:
        out.append(f"提示提供佐证的指标由{old.hinted}项增加到{new.hinted}项")
    before = {c.name: c.leaves for c in old.categories}
    for c in new.categories:
        if c.name in before and c.leaves > before[c.name]:
            out.append(f"类别「{c.name}」适用的末级指标由{before[c.name]}项增加到{c.leaves}项")
    return out


def round_burden(session: Session, actor: User, rnd: Round) -> RoundBurden:
    if not permissions.can_view_dashboard(actor, rnd):
        raise PermissionDenied("您没有权限查看该轮次的负担统计")
    st = round_structure(rnd)
    needs = {c for c in st.leaf_codes if requires_evidence(st.leaf(c))}
    deadlines = round_deadlines(rnd)
    uploads = evidence_uploads(session, [t.org_id for t in rnd.targets], rnd.scheme.year)
    cited = cited_evidence(session, rnd)
    units = []
    for t in sorted(rnd.targets, key=lambda t: (t.category.name, t.org.code)):
        leaves = st.leaves_for(t.category.name)
        units.append(UnitBurden(t.org.code, t.org.name, t.category.name, len(leaves),
                                sum(1 for leaf in leaves if leaf.code in needs), deadlines,
                                uploads.get(t.org_id, 0), cited.get(t.id, 0)))
    return RoundBurden(rnd.id, rnd.code, rnd.name, f"{rnd.scheme.name}（第{rnd.scheme.version}版）", rnd.scheme.year,
                       rnd.phase_label, len(rnd.targets), len(st.leaf_codes), len(needs), deadlines, units)


def burden_report(session: Session, actor: User) -> BurdenReport:
    """Every scheme version (with growth against the version before), every round in the actor's
    scope, and per unit and year the sum over those rounds."""
    if not permissions.can_view_dashboards(actor):
        raise PermissionDenied("您没有权限查看考核负担统计")
    schemes, previous = [], {}
    for s in session.scalars(select(Scheme).order_by(Scheme.code, Scheme.version)):
        schemes.append(scheme_burden(session, s, previous.get(s.code)))
        previous[s.code] = s
    schemes.sort(key=lambda b: (b.code, -b.version))
    rounds = session.scalars(
        select(Round).join(Organisation, Round.owner_org_id == Organisation.id)
        .where(Organisation.path.startswith(actor.scope_org.path)).order_by(Round.id)
    ).all()
    rbs = [round_burden(session, actor, r) for r in rounds if permissions.can_view_dashboard(actor, r)]
    return BurdenReport(schemes, rbs, _per_unit_year(rbs))


def _per_unit_year(rbs: list[RoundBurden]) -> list[UnitYear]:
    acc: dict[tuple[int, str], UnitYear] = {}
    for rb in rbs:
        for u in rb.units:
            key = (rb.year, u.org_code)
            row = acc.setdefault(key, UnitYear(rb.year, u.org_code, u.org_name, 0, 0, 0, 0, u.uploads))
            row.rounds += 1
            row.leaves += u.leaves
            row.evidence += u.evidence
            row.deadlines += u.deadlines
    return sorted(acc.values(), key=lambda r: (-r.year, -r.leaves, r.org_code))


def evidence_uploads(session: Session, org_ids: list[int], year: int) -> dict[int, int]:
    """Evidence files uploaded per organisation in the given year."""
    query = (select(Evidence.org_id, func.count()).where(Evidence.org_id.in_(org_ids),
                                                         extract("year", Evidence.uploaded_at) == year)
             .group_by(Evidence.org_id))
    return {org_id: n for org_id, n in session.execute(query)}
