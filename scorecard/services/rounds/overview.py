"""What the round pages show: the category tabs, one category's scoring progress, the cells
still unscored, the ranking of one category with the rules it is computed by."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager

from scorecard.domain.ranking import Ranking
from scorecard.domain.ranking_rules import Section, explain
from scorecard.models import Category, Organisation, Round, RoundTarget, Score, User
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied
from scorecard.services.rounds.ranking import (
    compute_ranking,
    frozen_category_name,
    ranking_for,
    ranking_rules,
    round_structure,
)


def _ensure(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied()


def category_tabs(session: Session, actor: User, rnd: Round, frozen_names: bool = True) -> list[dict]:
    """The round's categories in order of their first target, with ids and sizes, from one
    grouped query (not the report: a round may have 10,000 targets). With frozen_names, a 定档
    round shows its snapshot's own category names (names may have changed since)."""
    _ensure(permissions.can_view_round(actor, rnd))
    found = session.execute(
        select(RoundTarget.category_id, Category.name, func.count(), func.min(RoundTarget.id))
        .join(Category, RoundTarget.category_id == Category.id)
        .where(RoundTarget.round_id == rnd.id)
        .group_by(RoundTarget.category_id, Category.name).order_by(func.min(RoundTarget.id))).all()
    tabs = []
    for cid, name, count, _first in found:
        if frozen_names and rnd.is_final:
            name = frozen_category_name(session, rnd, cid) or name
        tabs.append({"id": cid, "name": name, "count": count})
    return tabs


def progress(session: Session, actor: User, rnd: Round, tab: dict) -> dict:
    """One category (a tab): its targets and scored cells (applicable leaves × targets), the
    actor's and anyone's."""
    _ensure(permissions.can_view_round(actor, rnd))
    where = (RoundTarget.round_id == rnd.id, RoundTarget.category_id == tab["id"])
    targets = session.scalars(select(RoundTarget).join(Organisation, RoundTarget.org_id == Organisation.id)
                              .where(*where).options(contains_eager(RoundTarget.org))
                              .order_by(Organisation.code)).all()
    cells = session.execute(select(Score.target_id, Score.indicator_id, Score.assessor_id)
                            .join(RoundTarget, Score.target_id == RoundTarget.id).where(*where)).all()
    mine, anyone = defaultdict(set), defaultdict(set)
    for target_id, indicator_id, assessor_id in cells:
        anyone[target_id].add(indicator_id)
        if assessor_id == actor.id:
            mine[target_id].add(indicator_id)
    st = round_structure(rnd)
    leaf_ids = {leaf.id for leaf in st.leaves_for(targets[0].category.name)} if targets else set()
    out = {"id": tab["id"], "name": tab["name"], "targets": [], "expected": 0, "mine": 0, "all": 0}
    for t in targets:
        row = {"target": t, "expected": len(leaf_ids), "mine": len(mine[t.id] & leaf_ids),
               "all": len(anyone[t.id] & leaf_ids)}
        out["targets"].append(row)
        for key in ("expected", "mine", "all"):
            out[key] += row[key]
    return out


def unscored(session: Session, actor: User, rnd: Round) -> int:
    """Applicable cells nobody has scored yet (they count as 0): the warning before a phase change."""
    _ensure(permissions.can_change_round(actor, rnd))
    return sum(r.missing for r in compute_ranking(session, rnd).rows)


@dataclass
class RankingPage:
    report: Ranking  # one category's (or the whole round's when it has none)
    rules: list[Section]  # how it is computed (the workbook's 说明 sheet says the same)


def ranking_page(session: Session, actor: User, rnd: Round, category_id: int | None) -> RankingPage:
    _ensure(permissions.can_view_ranking(actor, rnd))
    return RankingPage(ranking_for(session, rnd, category_id=category_id), explain(ranking_rules(rnd)))
