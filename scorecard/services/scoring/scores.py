"""Assessors' scores: typed input per leaf rule, optimistic locking, audit."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from scorecard.domain.rules import RuleError, input_from_points, leaf_score, parse_input
from scorecard.models import Indicator, Round, RoundTarget, Score, User, utcnow
from scorecard.services import audit, permissions
from scorecard.services.errors import PermissionDenied, ServiceError, StaleData
from scorecard.services.limits import COMMENT, check_length
from scorecard.services.rounds.ranking import round_structure
from scorecard.services.schemes.structure import Structure


@dataclass
class SaveResult:
    score: Score | None
    points: Decimal | None
    version: int | None


def _check_target(actor: User, target: RoundTarget, indicator: Indicator, st=None) -> None:
    permissions.ensure(permissions.why_not_score(actor, target))
    st = st or round_structure(target.round)
    if indicator.scheme_id != target.round.scheme_id or indicator.code not in st.leaf_codes:
        raise ServiceError(f"指标“{indicator.code}”不是本轮方案的末级指标")
    if not st.applies(indicator.code, target.category.name):
        raise ServiceError(f"指标“{indicator.code} {indicator.name}”不适用于类别“{target.category.name}”")


def own_score(session: Session, actor: User, target: RoundTarget, indicator: Indicator) -> Score | None:
    return session.scalar(select(Score).where(
        Score.target_id == target.id, Score.indicator_id == indicator.id, Score.assessor_id == actor.id))


def own_cells(session: Session, actor: User, target_ids: list[int]) -> dict[tuple[int, int], object]:
    """(target id, indicator id) → the actor's (points, version, input): plain rows, not ORM
    objects, since the grid shows thousands of cells."""
    rows = session.execute(select(Score.target_id, Score.indicator_id, Score.points, Score.version, Score.input)
                           .where(Score.assessor_id == actor.id, Score.target_id.in_(target_ids)))
    return {(r.target_id, r.indicator_id): r for r in rows}


def own_total(session: Session, actor: User, target: RoundTarget) -> Decimal | None:
    """The sum of the actor's scores of the target (None: none yet)."""
    points = session.scalars(select(Score.points).where(
        Score.target_id == target.id, Score.assessor_id == actor.id)).all()
    return sum(points, Decimal(0)) if points else None


def save_score(
    session: Session,
    actor: User,
    target: RoundTarget,
    indicator: Indicator,
    raw: dict | None,
    comment: str = "",
    expected_version: int | None = None,
    check_version: bool = True,
    st: Structure | None = None,
    existing: Score | None | bool = False,
) -> SaveResult:
    """Save (or clear, when raw is None) the actor's score of one leaf.

    expected_version is the version the user loaded (None: they saw no score). A mismatch
    means the same cell was saved elsewhere since: the save is refused, never overwritten.
    A caller that already has the round's structure or the actor's score of the cell (the grid
    API, on every keystroke-save) passes them in: building a structure is most of a save's time.
    """
    st = st or round_structure(target.round)
    _check_target(actor, target, indicator, st)
    if existing is False:
        existing = own_score(session, actor, target, indicator)
    if check_version:
        seen = existing.version if existing else None
        if seen != expected_version:
            raise StaleData(_stale_message(target, indicator))
    old = _state(existing)
    if raw is None:
        if existing is not None:
            stale = _stale_message(target, indicator)
            session.delete(existing)
            try:
                session.flush()
            except StaleDataError:
                raise StaleData(stale) from None
            audit.record(session, actor, "clear", "score", existing.id, old=old, round_id=target.round_id)
        return SaveResult(None, None, None)
    stale = _stale_message(target, indicator)  # built now: after a failed flush nothing can be loaded
    score = _put(session, actor, target, indicator, st, raw, comment, existing)
    try:
        session.flush()
    except (IntegrityError, StaleDataError):
        # Another session saved the same cell between our read and our write (the UPDATE matched
        # no row of the version we read, or the INSERT hit the unique key): refuse, never overwrite.
        raise StaleData(stale) from None
    _audit_put(session, actor, score, old, existing is not None)
    return SaveResult(score, score.points, score.version)


def _stale_message(target: RoundTarget, indicator: Indicator) -> str:
    return (f"“{target.org.name} / {indicator.code} {indicator.name}”已在别处被修改（可能是另一个窗口或另一位用户），"
            "为避免覆盖，本次保存未执行。请刷新页面查看最新数据后再修改。")


def _put(session, actor, target, indicator, st, raw, comment, existing) -> Score:
    """Parse the typed input by the leaf's rule and set it on the (new or existing) score."""
    try:
        value = parse_input(st.rule(indicator.code), raw)
        points = leaf_score(st.rule(indicator.code), value)
    except RuleError as exc:
        raise ServiceError(f"{indicator.code} {indicator.name}：{exc}", getattr(exc, "field", None)) from None
    score = existing or Score(target=target, indicator=indicator, assessor=actor)
    text = check_length(comment, f"{indicator.code} {indicator.name}：评分说明", COMMENT, "comment")
    score.input, score.points, score.comment = value, points, text
    score.updated_at = utcnow()
    session.add(score)
    return score


def _audit_put(session, actor, score: Score, old: dict | None, existed: bool) -> None:
    audit.record(session, actor, "update" if existed else "create", "score", score.id,
                 old=old, new=_state(score), reason=score.comment or None, round_id=score.target.round_id)


def _state(score: Score | None) -> dict | None:
    if score is None:
        return None
    return {"target": score.target_id, "indicator": score.indicator_id, "input": score.input,
            "points": score.points, "comment": score.comment}


def import_scores(session: Session, actor: User, rnd: Round, cells) -> int:
    """Apply parsed template cells (all validated by the importer) as the actor's scores."""
    if not permissions.can_change_round(actor, rnd):
        raise PermissionDenied()
    # One structure and one query for the actor's existing scores, one flush for the lot:
    # a 91-target × 27-leaf file is thousands of cells.
    st = round_structure(rnd)
    targets = {t.org.code: t for t in rnd.targets}
    mine = {(s.target_id, s.indicator_id): s for s in session.scalars(
        select(Score).join(RoundTarget).where(RoundTarget.round_id == rnd.id, Score.assessor_id == actor.id))}
    staged = []
    for cell in cells:
        target, indicator = targets[cell.target_code], st.leaf(cell.leaf_code)
        _check_target(actor, target, indicator, st)
        try:
            raw = input_from_points(st.rule(cell.leaf_code), cell.points, cell.reason)
        except RuleError as exc:
            raise ServiceError(f"第{cell.row}行 {cell.leaf_code}：{exc}") from None
        existing = mine.get((target.id, indicator.id))
        old = _state(existing)
        staged.append((_put(session, actor, target, indicator, st, raw, cell.reason or "", existing),
                       old, existing is not None))
    session.flush()
    for score, old, existed in staged:
        _audit_put(session, actor, score, old, existed)
    return len(staged)
