"""The keyboard-friendly score grid: one category's targets × its applicable leaves with the
actor's own scores, and saving one cell of it (static/grid.js posts every cell)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from scorecard.domain.numbers import fmt
from scorecard.domain.rules import LeafRule
from scorecard.models import Category, Indicator, Round, RoundTarget, User
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.rounds.ranking import round_structure, target_structure
from scorecard.services.scoring.score_page import explain
from scorecard.services.scoring.scores import own_cells, own_score, own_total, save_score


@dataclass
class GridRow:
    target: RoundTarget
    avoided: bool  # the actor's home unit: shown, never scored


@dataclass
class GridPage:
    rows: list[GridRow]
    leaves: list[Indicator]
    rules: list[LeafRule]  # per leaf
    own: dict[tuple[int, int], object]  # (target id, indicator id) → points, version, input
    categories: list[Category]
    editable: bool


def categories(session: Session, rnd: Round) -> list[Category]:
    """The round's categories in order of their first target (one query, not every target)."""
    first = func.min(RoundTarget.id)
    return list(session.scalars(
        select(Category).join(RoundTarget, RoundTarget.category_id == Category.id)
        .where(RoundTarget.round_id == rnd.id).group_by(Category.id).order_by(first)))


def grid_page(session: Session, actor: User, rnd: Round, category: Category) -> GridPage | None:
    """The grid of one category (None: no target of it in the actor's scope)."""
    if not permissions.can_change_round(actor, rnd):
        raise PermissionDenied()
    # Only this category's targets, with their organisations in one query (a round may have
    # thousands of targets in dozens of categories).
    in_category = session.scalars(
        select(RoundTarget).where(RoundTarget.round_id == rnd.id, RoundTarget.category_id == category.id)
        .options(selectinload(RoundTarget.org)).order_by(RoundTarget.id))
    targets = [t for t in in_category if permissions.in_scope(actor, t.org)]
    if not targets:
        return None
    st = round_structure(rnd)
    leaves = st.leaves_for(category.name)
    rows = [GridRow(t, permissions.is_home_unit(actor, t.org)) for t in targets]
    own = own_cells(session, actor, [r.target.id for r in rows if not r.avoided])
    return GridPage(rows, leaves, [st.rule(ind.code) for ind in leaves], own, categories(session, rnd),
                    rnd.scoring_open)


@dataclass
class CellSaved:
    points: str
    version: int | None
    row_total: str
    title: str  # how the points were computed (the cell's tooltip)


def _raw(rule_type: str, value: str, reason: str) -> dict | None:
    """The grid enters points: direct stores the value, deduct needs a reason below max."""
    if value == "":
        return None
    if rule_type == "direct":
        return {"value": value}
    if rule_type == "deduct":
        return {"points": value, "reason": reason}
    return {"points": value}


def save_cell(session: Session, actor: User, target: RoundTarget, code: str, value: str,
              version: int | None, reason: str) -> CellSaved:
    """Save (value "": clear) the actor's points of one leaf, keeping the cell's comment."""
    permissions.ensure(permissions.why_not_score(actor, target))
    st = target_structure(target)
    if code not in st.leaf_codes:
        raise ServiceError(f"指标“{code}”不存在")
    ind = st.leaf(code)
    # The structure and the existing score are passed on: building them is most of a save's time.
    existing = own_score(session, actor, target, ind)
    res = save_score(session, actor, target, ind, _raw(ind.rule_type, value, reason),
                     comment=existing.comment if existing else "", expected_version=version,
                     st=st, existing=existing)
    total = own_total(session, actor, target)
    return CellSaved(fmt(res.points), res.version, fmt(total) if total is not None else "",
                     explain(st.rule(code), res.score))
