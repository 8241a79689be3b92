"""述职评议 votes: each rater's choice on a `vote` leaf of a target. The leaf's score is the
leaf's `vote` rule (weights per option, e.g. 满意 1 / 基本满意 0.6 / 不满意 0) applied to the
vote counts (services/leaf_sources). Individual votes are shown to assessors only.

Entering votes (grid or Excel) replaces the whole set of votes of each (target, leaf) it
covers: the panel's sheet is the complete tally for that target and leaf.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scorecard.domain.adjudication import vote_choices, vote_counts, vote_points
from scorecard.importers.votes import VoteContext, parse_votes
from scorecard.models import Indicator, PanelVote, Round, RoundTarget, User, utcnow
from scorecard.services import audit, permissions
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.rounds.ranking import round_structure
from scorecard.services.schemes.structure import Structure

MAX_RATER = 50


def _structure(rnd: Round) -> Structure:
    return round_structure(rnd)


def vote_leaves(target: RoundTarget, st: Structure | None = None) -> list[Indicator]:
    st = st or _structure(target.round)
    return [leaf for leaf in st.leaves_for(target.category.name) if leaf.rule_type == "vote"]


def _guard(actor: User, target: RoundTarget) -> None:
    permissions.ensure(permissions.why_not_enter_votes(actor, target))


def check_rater(name: str) -> str:
    text = " ".join((name or "").split())
    if not text:
        raise ServiceError("评议人不能为空", "rater")
    if len(text) > MAX_RATER:
        raise ServiceError(f"评议人“{text[:20]}…”超过{MAX_RATER}个字符", "rater")
    return text


@dataclass
class GridRow:
    rater: str
    choices: dict[str, str]  # leaf code → option ("" = no vote on that leaf)


def save_grid(session: Session, actor: User, target: RoundTarget, rows: list[GridRow]) -> int:
    """Replace every vote of the target's vote leaves with the grid. Validates all first.
    Returns the number of votes stored. Errors name the grid row (第N行) and the leaf."""
    _guard(actor, target)
    st = _structure(target.round)
    leaves = {leaf.code: leaf for leaf in vote_leaves(target, st)}
    wanted: dict[str, dict[str, str]] = {code: {} for code in leaves}
    errors, raters = [], {}
    for n, row in enumerate(rows, 1):
        picked = {c: (v or "").strip() for c, v in row.choices.items() if (v or "").strip()}
        if not (row.rater or "").strip() and not picked:
            continue
        try:
            rater = check_rater(row.rater)
        except ServiceError as exc:
            errors.append(f"第{n}行：{exc.message}")
            continue
        if rater in raters:
            errors.append(f"第{n}行：评议人“{rater}”与第{raters[rater]}行重复")
            continue
        raters[rater] = n
        for code, choice in picked.items():
            leaf = leaves.get(code)
            if leaf is None:
                errors.append(f"第{n}行：指标{code}不是该对象的测评指标")
                continue
            options = vote_choices(st.rule(code))
            if choice not in options:
                errors.append(f"第{n}行“{code} {leaf.name}”：未知的评价“{choice}”（可选：{'、'.join(options)}）")
                continue
            wanted[code][rater] = choice
    if errors:
        raise ServiceError("；".join(errors), "votes")
    return sum(_replace(session, actor, target, leaves[code], votes, st) for code, votes in wanted.items())


def _replace(session: Session, actor: User, target: RoundTarget, leaf: Indicator, votes: dict[str, str],
             st: Structure) -> int:
    existing = list(session.scalars(select(PanelVote).where(
        PanelVote.target_id == target.id, PanelVote.indicator_id == leaf.id)))
    old = {v.rater: v.choice for v in existing}
    if old == votes:
        return len(votes)
    rule = st.rule(leaf.code)
    by_rater = {v.rater: v for v in existing}
    for rater, vote in by_rater.items():
        if rater not in votes:
            session.delete(vote)
    for rater, choice in votes.items():
        vote = by_rater.get(rater)
        if vote is None:
            session.add(PanelVote(target_id=target.id, indicator_id=leaf.id, rater=rater, choice=choice,
                                  entered_by_id=actor.id))
        elif vote.choice != choice:
            vote.choice, vote.entered_by_id, vote.updated_at = choice, actor.id, utcnow()
    session.flush()
    audit.record(session, actor, "set_votes", "panel_vote", target.id,
                 old={"indicator": leaf.code, "counts": vote_counts(rule, old.values()),
                      "points": vote_points(rule, list(old.values())), "votes": old},
                 new={"target": target.org.code, "indicator": leaf.code,
                      "counts": vote_counts(rule, votes.values()),
                      "points": vote_points(rule, list(votes.values())), "votes": votes})
    return len(votes)


def votes_of(session: Session, actor: User, target: RoundTarget) -> dict[int, dict[str, str]]:
    """indicator id → {rater: choice}; assessors only (PermissionDenied otherwise)."""
    if not permissions.can_view_votes(actor, target):
        raise PermissionDenied("评议人的个人投票仅考核员可见")
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for v in session.scalars(select(PanelVote).where(PanelVote.target_id == target.id).order_by(PanelVote.id)):
        out[v.indicator_id][v.rater] = v.choice
    return out


def tally(session: Session, target: RoundTarget, st: Structure | None = None) -> dict[str, dict]:
    """Per vote leaf code: counts per option and the resulting score (no individual votes;
    safe to show to the unit and leaders)."""
    st = st or _structure(target.round)
    choices: dict[int, list[str]] = defaultdict(list)
    for ind_id, choice in session.execute(select(PanelVote.indicator_id, PanelVote.choice)
                                          .where(PanelVote.target_id == target.id)):
        choices[ind_id].append(choice)
    out = {}
    for leaf in vote_leaves(target, st):
        rule = st.rule(leaf.code)
        picked = choices.get(leaf.id, [])
        out[leaf.code] = {"counts": vote_counts(rule, picked), "points": vote_points(rule, picked),
                          "total": len(picked)}
    return out


def import_context(session: Session, actor: User, rnd: Round):
    """What the vote importer validates against: targets by org code (with whether the actor
    may enter votes for it) and, per category, vote leaves with their options."""
    if not permissions.can_change_round(actor, rnd):
        raise PermissionDenied()
    st = _structure(rnd)
    targets = {t.org.code: (t.org.name, t.category.name, permissions.can_enter_votes(actor, t))
               for t in rnd.targets}
    leaves = {code: (st.leaf(code).name, vote_choices(st.rule(code)))
              for code in st.leaf_codes if st.leaf(code).rule_type == "vote"}
    applicable = {cat: set(codes) for cat, codes in st.applicable.items()}
    return VoteContext(targets=targets, leaves=leaves, applicable=applicable)


def apply_import(session: Session, actor: User, rnd: Round, rows) -> int:
    """Apply parsed rows (importers.votes.VoteRow, all validated): replaces the votes of each
    (target, leaf) in the file."""
    if not permissions.can_change_round(actor, rnd):
        raise PermissionDenied()
    st = _structure(rnd)
    targets = {t.org.code: t for t in rnd.targets}
    grouped: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for r in rows:
        grouped[(r.org_code, r.leaf_code)][r.rater] = r.choice
    for (org_code, _leaf), _votes in grouped.items():
        _guard(actor, targets[org_code])
    return sum(_replace(session, actor, targets[o], st.leaf(c), votes, st) for (o, c), votes in grouped.items())


def import_votes(session: Session, actor: User, rnd: Round, data: bytes) -> int:
    """A filled votes workbook, validated as a whole (ImportFailed lists every problem), then
    applied; returns the number of votes stored."""
    return apply_import(session, actor, rnd, parse_votes(data, import_context(session, actor, rnd)))


BLANK_ROWS = 5
MAX_BLANK = 500


@dataclass
class VoteGrid:
    leaves: list[Indicator]
    options: dict[str, list[str]]  # leaf code → its options, in order
    rows: list[GridRow]
    tally: dict[str, dict]
    editable: bool


def vote_grid(session: Session, actor: User, target: RoundTarget, rows: list[GridRow] | None = None,
              blank: int = BLANK_ROWS) -> VoteGrid:
    """The votes page of a target: the stored votes one rater a row plus `blank` empty rows, or
    the rows the user submitted (kept on screen when refused)."""
    permissions.ensure(permissions.why_not_open_scores(actor, target))
    st = _structure(target.round)
    leaves = vote_leaves(target, st)
    if rows is None:
        current = votes_of(session, actor, target)
        raters: dict[str, dict[str, str]] = {}
        for leaf in leaves:
            for rater, choice in current.get(leaf.id, {}).items():
                raters.setdefault(rater, {})[leaf.code] = choice
        rows = [GridRow(r, c) for r, c in raters.items()] + [GridRow("", {}) for _ in range(min(blank, MAX_BLANK))]
    options = {leaf.code: [name for name, _ in st.rule(leaf.code).params["weights"]] for leaf in leaves}
    return VoteGrid(leaves, options, rows, tally(session, target, st), permissions.can_enter_votes(actor, target))
