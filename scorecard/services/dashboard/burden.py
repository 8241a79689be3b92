"""考核负担统计 (C6: 「严格控制面向基层的督查、检查、考核总量」): what a scheme and a round ask of
each unit — indicators (leaves), items that require evidence, deadlines — and the evidence the
units actually uploaded.

Evidence required: an indicator's `evidence_required` flag when the model has one (built with
self-assessment); otherwise a leaf counts when its 佐证提示 is non-empty (`evidence_basis` says
which, and the pages say so). Deadlines: the round's date/time columns named *deadline* or *due*
that are set. Uploads: counted from scorecard.models.evidence when it exists (rows of the unit's
organisation in the scheme's year), otherwise not shown.
"""
from __future__ import annotations

import importlib
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from scorecard.models import Indicator, Organisation, Round, Scheme, User
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied
from scorecard.services.rounds.ranking import round_structure
from scorecard.services.schemes.structure import structure
from scorecard.services.selfassess.status import cited_evidence

BASIS_LABELS = {"flag": "须提供佐证（按指标“须提供佐证”标记统计）",
                "hint": "提示佐证（按“佐证提示”非空统计；佐证非必需）"}


def evidence_basis() -> str:
    return "flag" if hasattr(Indicator, "evidence_required") else "hint"


def requires_evidence(ind: Indicator) -> bool:
    if evidence_basis() == "flag":
        return bool(getattr(ind, "evidence_required"))
    return bool((ind.evidence_hint or "").strip())


def deadline_columns() -> list[str]:
    return [c.name for c in Round.__table__.columns if "deadline" in c.name or c.name.endswith(("_due", "due_at", "due_date"))]


def round_deadlines(rnd: Round) -> int:
    return sum(1 for name in deadline_columns() if getattr(rnd, name, None) is not None)


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
    evidence: int
    categories: dict[str, int]  # category -> applicable leaves
    rounds: int
    deadlines: int
    growth: list[str] = field(default_factory=list)

    @property
    def growth_text(self) -> str:
        return "；".join(self.growth)

    @property
    def categories_text(self) -> str:
        return "、".join(f"{k} {v}项" for k, v in self.categories.items())


@dataclass
class UnitBurden:
    org_code: str
    org_name: str
    category: str
    leaves: int
    evidence: int
    deadlines: int
    uploads: int | None
    cited: int | None  # distinct evidence cited by its self-assessment in this round


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
    evidence_basis: str
    has_uploads: bool
    has_cited: bool = False

    @property
    def max_leaves_per_unit(self) -> int:
        return max((u.leaves for u in self.units), default=0)

    @property
    def uploads(self) -> int | None:
        return sum(u.uploads or 0 for u in self.units) if self.has_uploads else None


@dataclass
class UnitYear:
    year: int
    org_code: str
    org_name: str
    rounds: int
    leaves: int
    evidence: int
    deadlines: int
    uploads: int | None


@dataclass
class BurdenReport:
    evidence_basis: str
    has_uploads: bool
    schemes: list[SchemeBurden]
    rounds: list[RoundBurden]
    units: list[UnitYear]


def scheme_burden(session: Session, scheme: Scheme, previous: Scheme | None = None) -> SchemeBurden:
    st = structure(scheme)
    evidence = sum(1 for c in st.leaf_codes if requires_evidence(st.leaf(c)))
    rounds = session.scalars(select(Round).where(Round.scheme_id == scheme.id)).all()
    out = SchemeBurden(scheme.id, scheme.code, scheme.name, scheme.version, scheme.year, scheme.status_label,
                       len(scheme.indicators), len(st.leaf_codes), evidence,
                       {name: len(codes) for name, codes in st.applicable.items()},
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
        out.append(f"{'须提供' if evidence_basis() == 'flag' else '提示'}佐证的指标由{old.evidence}项增加到{new.evidence}项")
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
                                None if uploads is None else uploads.get(t.org_id, 0),
                                None if cited is None else cited.get(t.id, 0)))
    return RoundBurden(rnd.id, rnd.code, rnd.name, f"{rnd.scheme.name}（第{rnd.scheme.version}版）", rnd.scheme.year,
                       rnd.phase_label, len(rnd.targets), len(st.leaf_codes), len(needs), deadlines, units,
                       evidence_basis(), uploads is not None, cited is not None)


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
    return BurdenReport(evidence_basis(), evidence_model() is not None, schemes, rbs, _per_unit_year(rbs))


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


# --- uploads (when scorecard.models.evidence exists) -------------------------------------------

def evidence_model():
    """The evidence model: a mapped class of scorecard.models.evidence with an `org_id` column."""
    try:
        module = importlib.import_module("scorecard.models.evidence")
    except ImportError:
        return None
    for value in vars(module).values():
        table = getattr(value, "__table__", None)
        if table is not None and "org_id" in table.columns.keys() and "sha256" in table.columns.keys():
            return value
    return None


def evidence_uploads(session: Session, org_ids: list[int], year: int) -> dict[int, int] | None:
    """Uploaded evidence files per organisation in the given year (None without the model)."""
    model = evidence_model()
    if model is None:
        return None
    columns = model.__table__.columns.keys()
    when = next((c for c in ("uploaded_at", "created_at") if c in columns), None)
    query = select(model.org_id, func.count()).where(model.org_id.in_(org_ids)).group_by(model.org_id)
    if when is not None:
        query = query.where(extract("year", getattr(model, when)) == year)
    counts: dict[int, int] = defaultdict(int)
    for org_id, n in session.execute(query):
        counts[org_id] = n
    return counts


def scheme_panel(session: Session, scheme: Scheme, previous: Scheme | None) -> dict:
    """The small burden summary on the scheme page (shown as the draft is edited)."""
    b = scheme_burden(session, scheme, previous)
    basis = evidence_basis()
    # The page already warns about more leaves and more evidence hints (schemes_diff.burden_growth);
    # only the required-evidence warning is new here.
    warnings = [g for g in b.growth if basis == "flag" and g.startswith("须提供")]
    return {"burden": b, "basis": basis, "basis_label": BASIS_LABELS[basis], "warnings": warnings,
            "max_category": max(b.categories.values(), default=b.leaves)}
