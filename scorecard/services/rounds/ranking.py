"""Compute a round's ranking report from its inputs (or read the frozen snapshot)."""
from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session, object_session, selectinload

from scorecard.domain.ranking import (
    Ranking,
    RankingAdjustment,
    RankingDeduction,
    RankingLeaf,
    RankingRow,
    RankingRules,
    RankingTop,
    TierRule,
)
from scorecard.domain.rules import deductions_of
from scorecard.domain.scoring import (
    TargetInput,
    bonus_total,
    cap_note,
    compute_round,
    leaf_final_cents,
    penalty_total,
)
from scorecard.models import (
    Adjustment,
    Category,
    Indicator,
    Organisation,
    OrgGroup,
    Round,
    RoundTarget,
    Score,
    User,
)
from scorecard.services.schemes.structure import Structure, structure
from scorecard.services.scoring import leaf_sources

ZERO = Decimal("0")


def round_structure(rnd: Round) -> Structure:
    session = object_session(rnd)
    if session is None or "targets" in rnd.__dict__:
        categories = []
        for t in rnd.targets:
            if t.category.name not in categories:
                categories.append(t.category.name)
    else:
        # Every score save and grid page asks for this: one query for the round's categories
        # (in order of their first target) instead of loading thousands of targets, and the
        # scheme's indicators with their categories in one more (not one query per indicator).
        categories = list(session.scalars(
            select(Category.name).join(RoundTarget, RoundTarget.category_id == Category.id)
            .where(RoundTarget.round_id == rnd.id).group_by(Category.id, Category.name)
            .order_by(func.min(RoundTarget.id))))
        _load_indicators(rnd)
    for c in rnd.scheme.categories:
        if c.name not in categories:
            categories.append(c.name)
    return structure(rnd.scheme, categories)


def target_structure(target: RoundTarget) -> Structure:
    """The structure as one target needs it (its own category's applicability only): a score
    save asks for this on every cell, without the round-wide category query."""
    _load_indicators(target.round)
    return structure(target.round.scheme, [target.category.name])


def _load_indicators(rnd: Round) -> list[Indicator]:
    """Load the scheme's indicators with their categories in two queries (not one per indicator).
    The returned list holds them while scheme.indicators is filled from the identity map (which
    alone holds objects only weakly); from then on the scheme keeps them."""
    session, scheme = object_session(rnd), rnd.scheme
    if session is None:
        return []
    loaded = session.scalars(select(Indicator).where(Indicator.scheme_id == scheme.id)
                             .options(selectinload(Indicator.categories))).all()
    scheme.indicators
    return loaded


def ranking_for(session: Session, rnd: Round, today: dt.date | None = None,
               category_id: int | None = None) -> Ranking:
    """A finalized round answers from its snapshot; any other round is computed now.

    With category_id, the report holds that category's targets only. Ranks are only ever
    compared within a category, so its rows are exactly those of the whole round's report;
    pages about one category or one target ask for this (a round may have 10,000 targets)."""
    if rnd.is_final and category_id is not None:
        part = _frozen_part(session, rnd, category_id)
        if part is not None:
            return Ranking.from_dict(part)
    elif rnd.is_final and rnd.snapshot:
        return Ranking.from_dict(rnd.snapshot)
    return compute_ranking(session, rnd, today, category_id)


# One category's part of a frozen snapshot, per (round, 定档 time, category), kept by each process:
# a snapshot never changes once frozen, and decoding a 10,000-target one (megabytes of JSON) for
# every ranking page of one category would cost more than the page itself.
_FROZEN: OrderedDict[tuple, dict | None] = OrderedDict()
_FROZEN_MAX = 256
_FROZEN_LOCK = threading.Lock()


def _frozen_part(session: Session, rnd: Round, category_id: int) -> dict | None:
    key = (session.get_bind().url.render_as_string(), rnd.id, rnd.finalized_at, category_id)
    with _FROZEN_LOCK:
        if key in _FROZEN:
            _FROZEN.move_to_end(key)
            return _FROZEN[key]
    if not rnd.snapshot:
        return None
    ids = set(session.scalars(select(RoundTarget.id).where(*_in_round(rnd, category_id))))
    part = snapshot_part(rnd.snapshot, ids)
    with _FROZEN_LOCK:
        _FROZEN[key] = part
        while len(_FROZEN) > _FROZEN_MAX:
            _FROZEN.popitem(last=False)
    return part


def frozen_category_name(session: Session, rnd: Round, category_id: int) -> str | None:
    """A finalized round's name for one of its categories as frozen (names may change later)."""
    part = _frozen_part(session, rnd, category_id) if rnd.is_final else None
    return part["categories"][0] if part and part["categories"] else None


def snapshot_part(snapshot: dict, target_ids: set[int]) -> dict:
    """The frozen report restricted to the given targets (one category's)."""
    rows = [r for r in snapshot["rows"] if r["target_id"] in target_ids]
    names = {r["category"] for r in rows}
    return {**snapshot, "rows": rows, "categories": [c for c in snapshot["categories"] if c in names],
            "deductions": [d for d in snapshot["deductions"] if d["category"] in names],
            "adjustments": [a for a in snapshot["adjustments"] if a["category"] in names]}


def _in_round(rnd: Round, category_id: int | None) -> list:
    """The WHERE clauses selecting the round's targets (of one category when given)."""
    where = [RoundTarget.round_id == rnd.id]
    if category_id is not None:
        where.append(RoundTarget.category_id == category_id)
    return where


class _Target(NamedTuple):
    """A round target as the report needs it: plain columns, no ORM entities (10,000 per round)."""
    id: int
    org_code: str
    org_name: str
    group: str
    category: str
    veto: bool
    veto_reason: str | None
    tier_override: str | None
    override_reason: str | None


def compute_ranking(session: Session, rnd: Round, today: dt.date | None = None,
                   category_id: int | None = None) -> Ranking:
    st = round_structure(rnd)
    where = _in_round(rnd, category_id)
    targets = _targets(session, where)
    scores = _scores_by_cell(session, rnd, where)
    adjustments = _adjustments(session, where)
    sources = leaf_sources.collect(session, rnd, st, where)  # votes, verification, appeals
    leaves_of: dict[str, list[tuple[str, int, str]]] = {}  # category → its leaves (code, id, name)
    replaced = sources.targets()
    inputs, rows_meta = [], {}
    for t in targets:
        if t.category not in leaves_of:
            leaves_of[t.category] = [(c, st.leaf(c).id, st.leaf(c).name) for c in st.leaf_codes
                                     if st.applies(c, t.category)]
        means = scores.get(t.id, {})
        finals, changed = {code: means.get(leaf_id) for code, leaf_id, _ in leaves_of[t.category]}, ()
        if t.id in replaced:  # a vote, a verification or an appeal may replace some means
            changed = []
            for code, leaf_id, name in leaves_of[t.category]:
                finals[code], note = sources.final(t.id, code, name, finals[code])
                changed += [note] if note else []
        adj = adjustments.get(t.id, [])
        inputs.append(TargetInput(
            key=str(t.id), category=t.category, leaf_scores=finals,
            bonus=bonus_total(list(_per_item(adj, "bonus").values()), rnd.scheme.bonus_cap),
            penalty=penalty_total(list(_per_item(adj, "penalty").values())),
            veto=t.veto, override_tier=t.tier_override,
        ))
        rows_meta[str(t.id)] = (t, finals, [*changed, *_cap_notes(adj)])
    results = compute_round(st.spec(), inputs)
    rows = [_row(res, *rows_meta[res.key]) for res in results]
    return Ranking(
        round_code=rnd.code, round_name=rnd.name, scheme_name=rnd.scheme.name,
        scheme_version=rnd.scheme.version, issuer=rnd.owner_org.name,
        date=(today or dt.date.today()).isoformat(), phase=rnd.phase_label, final=rnd.is_final,
        full_marks=rnd.scheme.full_marks, categories=list(dict.fromkeys(t.category for t in targets)),
        tops=[RankingTop(t.code, t.name, t.max_points) for t in st.tops],
        leaves=[RankingLeaf(c, st.leaf(c).name, st.leaf(c).max_points, st.top_of[c], st.leaf(c).rule_type)
                for c in st.leaf_codes],
        rows=rows,
        deductions=_deductions(session, rnd, st, targets, where),
        adjustments=[
            RankingAdjustment(t.category, t.org_code, t.org_name, a.item.code, a.item.name,
                             a.item.kind_label, a.points, a.reason)
            for t in targets for a in adjustments.get(t.id, [])
        ],
    )


def _targets(session: Session, where: list) -> list[_Target]:
    stmt = (
        select(RoundTarget.id, Organisation.code, Organisation.name, func.coalesce(OrgGroup.name, ""),
               Category.name, RoundTarget.veto, RoundTarget.veto_reason, RoundTarget.tier_override,
               RoundTarget.override_reason)
        .join(Organisation, RoundTarget.org_id == Organisation.id)
        .outerjoin(OrgGroup, Organisation.group_id == OrgGroup.id)
        .join(Category, RoundTarget.category_id == Category.id)
        .where(*where).order_by(RoundTarget.id))
    return [_Target(*r) for r in _plain_rows(session, stmt)]


def _scores_by_cell(session: Session, rnd: Round, where: list) -> dict[int, dict[int, Decimal]]:
    """Each cell's final leaf score (mean of the assessors', trimmed if the round says so),
    as {target id: {indicator id: score}}.

    The database sums integer cents per cell (Σ, n, and min, max for a trimmed round): a round
    of 10,000 targets has hundreds of thousands of scores, and loading each as a Decimal was
    the ranking's hotspot. Points are stored with 2 decimals, so cents are exact;
    domain.leaf_final_cents rounds. `target_id IN (round's targets)` lets SQLite walk the
    (target, indicator, assessor) unique index in group order instead of sorting."""
    cents = cast(func.round(Score.points * 100), Integer)
    extremes = (func.min(cents), func.max(cents)) if rnd.trimmed else ()
    stmt = (
        select(Score.target_id, Score.indicator_id, func.sum(cents), func.count(), *extremes)
        .where(Score.target_id.in_(select(RoundTarget.id).where(*where)))
        .group_by(Score.target_id, Score.indicator_id)
        .execution_options(yield_per=20_000))  # fetched in batches, not one fetchone per row
    out: dict[int, dict[int, Decimal]] = defaultdict(dict)
    finals: dict[tuple, Decimal | None] = {}  # the same few thousand aggregates recur: one Decimal each
    for row in _plain_rows(session, stmt):
        cell = row[2:]  # (Σ, n) or (Σ, n, min, max)
        if cell not in finals:
            total, n, low, high = cell if rnd.trimmed else (*cell, 0, 0)
            finals[cell] = leaf_final_cents(int(total), n, int(low), int(high), rnd.trimmed)
        out[row[0]][row[1]] = finals[cell]
    return out


def _plain_rows(session: Session, stmt):
    """Rows through Core: for 10⁴–10⁵ plain rows the ORM's per-row handling costs more than the query."""
    if session.autoflush:
        session.flush()  # what the ORM's execute does first
    return session.connection().execute(stmt)


def _adjustments(session: Session, where: list) -> dict[int, list[Adjustment]]:
    rows = session.scalars(
        select(Adjustment).join(RoundTarget, Adjustment.target_id == RoundTarget.id)
        .where(*where).options(selectinload(Adjustment.item))
        .order_by(Adjustment.id)
    ).all()
    out: dict[int, list[Adjustment]] = defaultdict(list)
    for a in rows:
        out[a.target_id].append(a)
    return out


def _per_item(adjustments: list[Adjustment], kind: str) -> dict[int, tuple[Decimal, Decimal | None]]:
    """(Σ points entered, cap) per scheme item of one kind: a cap (单项上限) holds per item, however
    many times it was entered."""
    per_item: dict[int, tuple[Decimal, Decimal | None]] = {}
    for a in adjustments:
        if a.item.kind != kind:
            continue
        claimed, cap = per_item.get(a.item_id, (ZERO, a.item.cap))
        per_item[a.item_id] = (claimed + a.points, cap)
    return per_item


def _cap_notes(adjustments: list[Adjustment]) -> list[str]:
    items = {a.item_id: a.item for a in adjustments}
    notes = []
    for kind in ("bonus", "penalty"):
        for item_id, (points, cap) in _per_item(adjustments, kind).items():
            item = items[item_id]
            note = cap_note(item.kind_label, item.name, points, cap)
            notes += [note] if note else []
    return notes


def _row(res, target: _Target, finals: dict, changed: list[str] = ()) -> RankingRow:
    notes = list(changed)
    if target.veto:
        notes.append(f"一票否决：{target.veto_reason}" + ("（等次已封顶）" if res.veto_capped else ""))
    if res.overridden:
        notes.append(f"等次调整：{res.computed_tier}→{res.tier}，原因：{target.override_reason}")
    if res.quota_overrun:
        notes.append("名额边界并列，超出名额")
    if res.missing:
        notes.append(f"未评分{res.missing}项")
    return RankingRow(
        target_id=target.id, org_code=target.org_code, org_name=target.org_name,
        category=res.category, group=target.group,
        subtotals=res.subtotals, leaf_scores=finals, base_raw=res.base_raw,
        applicable_full=res.applicable_full, base=res.base, bonus=res.bonus, penalty=res.penalty,
        total=res.total, rank=res.rank, tier=res.tier, computed_tier=res.computed_tier,
        notes=notes, missing=res.missing,
    )


def _deductions(session: Session, rnd: Round, st: Structure, targets: list[_Target],
                where: list) -> list[RankingDeduction]:
    # Only 扣分 leaves carry deductions: don't load (and JSON-decode) every other score's input.
    deduct_ids = [st.leaf(c).id for c in st.leaf_codes if st.rule(c).type == "deduct"]
    if not deduct_ids:
        return []
    rows = session.execute(
        select(Score.target_id, Score.indicator_id, Score.input, User.display_name)
        .join(RoundTarget, Score.target_id == RoundTarget.id)
        .join(User, Score.assessor_id == User.id)
        .where(*where, Score.indicator_id.in_(deduct_ids))
        .order_by(RoundTarget.id, Score.indicator_id, Score.id)
    ).all()
    by_id = {t.id: t for t in targets}
    code_of = {i.id: i.code for i in rnd.scheme.indicators}
    out = []
    for target_id, indicator_id, raw, assessor in rows:
        code = code_of[indicator_id]
        deductions = deductions_of(st.rule(code), raw)
        if not deductions:
            continue
        target, ind = by_id[target_id], st.leaf(code)
        for points, reason in deductions:
            out.append(RankingDeduction(target.category, target.org_code, target.org_name,
                                       code, ind.name, points, reason, assessor))
    return out


def ranking_rules(rnd: Round) -> RankingRules:
    """The settings the ranking page and the 说明 sheet explain (domain/ranking_rules.py); a
    published scheme never changes, so these are as stable as the snapshot."""
    s = rnd.scheme
    return RankingRules(
        tiers=tuple(TierRule(t.name, t.threshold, t.quota_pct) for t in s.tiers) or RankingRules().tiers,
        trimmed=rnd.trimmed, convert=s.convert, bonus_cap=s.bonus_cap, veto_cap=s.veto_cap,
        tie_break=tuple(s.tie_break or ()), full_marks=s.full_marks,
        top_names=tuple((i.code, i.name) for i in s.indicators if i.parent_id is None),
    )
