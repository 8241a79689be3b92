"""实地核验 (on-site verification, C15): a visit samples leaves of one target. For each
sampled leaf the visit records the score before it (kept visible) and either confirms it
(no verified score) or sets a verified score with a reason; the verified score becomes the
leaf's final score (services/leaf_sources). Assessors never verify their home unit.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scorecard.domain.adjudication import read_points
from scorecard.domain.rule_base import RuleError
from scorecard.domain.scoring import leaf_final
from scorecard.models import (
    Indicator,
    RoundTarget,
    Score,
    SelfItem,
    User,
    VerificationItem,
    VerificationVisit,
)
from scorecard.services import audit, permissions
from scorecard.services.clock import local_today, parse_date
from scorecard.services.errors import ServiceError
from scorecard.services.limits import DESCRIPTION, REASON, TEAM, check_length
from scorecard.services.rounds.ranking import round_structure
from scorecard.services.scoring.leaf_sources import collect, current_final

MAX_TEXT = DESCRIPTION


@dataclass
class SampledLeaf:
    indicator: Indicator
    verified: object = None  # raw text/number; blank = confirmed as is
    reason: str = ""


def _guard(actor: User, target: RoundTarget) -> None:
    permissions.ensure(permissions.why_not_verify(actor, target))


def record_visit(session: Session, actor: User, target: RoundTarget, visit_date: dt.date | None, team: str,
                 findings: str, sampled: list[SampledLeaf], today: dt.date | None = None) -> VerificationVisit:
    _guard(actor, target)
    if visit_date is None:
        raise ServiceError("请填写核验日期", "visit_date")
    if visit_date > (today or local_today()):
        raise ServiceError(f"核验日期{visit_date}不能晚于今天", "visit_date")
    team_text = check_length(team, "核验组成员", TEAM, "team")
    if not team_text:
        raise ServiceError("请填写核验组成员", "team")
    findings_text = check_length(findings, "核验发现", DESCRIPTION, "findings")
    if not sampled:
        raise ServiceError("请至少选择一个抽查的指标", "items")
    st = round_structure(target.round)
    items, seen = [], set()
    for s in sampled:
        items.append(_item(session, target, st, s, seen))
    visit = VerificationVisit(target_id=target.id, visit_date=visit_date, team=team_text,
                              findings=findings_text, created_by_id=actor.id, items=items)
    session.add(visit)
    session.flush()
    audit.record(session, actor, "create", "verification_visit", visit.id,
                 old={i.indicator.code: i.original_points for i in items},
                 new={"target": target.org.code, "date": str(visit_date), "team": team_text,
                      "scores": {i.indicator.code: i.verified_points for i in items}},
                 reason="；".join(f"{i.indicator.code}：{i.reason}" for i in items if i.reason) or None)
    return visit


def _item(session, target, st, s: SampledLeaf, seen: set) -> VerificationItem:
    ind = s.indicator
    label = f"{ind.code} {ind.name}"
    if ind.scheme_id != target.round.scheme_id or not st.applies(ind.code, target.category.name):
        raise ServiceError(f"指标“{label}”不适用于该考核对象", f"items-{ind.code}")
    if ind.id in seen:
        raise ServiceError(f"指标“{label}”重复抽查", f"items-{ind.code}")
    seen.add(ind.id)
    reason = (s.reason or "").strip()
    verified = None
    if s.verified is not None and str(s.verified).strip():
        try:
            verified = read_points(s.verified, ind.max_points, "核验得分")
        except RuleError as exc:
            raise ServiceError(f"{label}：{exc.message}", f"items-{ind.code}") from None
        if not reason:
            raise ServiceError(f"{label}：核验得分必须填写调整原因", f"items-{ind.code}")
    check_length(reason, f"{label}：原因", REASON, f"items-{ind.code}")
    return VerificationItem(indicator=ind, original_points=current_final(session, target, ind.code, st),
                            verified_points=verified, reason=reason)


def delete_visit(session: Session, actor: User, visit: VerificationVisit, reason: str) -> None:
    target = session.get(RoundTarget, visit.target_id)
    _guard(actor, target)
    text = (reason or "").strip()
    if not text:
        raise ServiceError("请填写撤销原因", "reason")
    audit.record(session, actor, "delete", "verification_visit", visit.id,
                 old={"target": target.org.code, "date": str(visit.visit_date),
                      "scores": {i.indicator.code: i.verified_points for i in visit.items}}, reason=text)
    session.delete(visit)
    session.flush()


def visits_of(session: Session, target: RoundTarget) -> list[VerificationVisit]:
    return list(session.scalars(select(VerificationVisit).where(VerificationVisit.target_id == target.id)
                                .order_by(VerificationVisit.visit_date, VerificationVisit.id)))


def parse_visit_date(text: str) -> dt.date | None:
    """The date typed on the visit form (blank: None, which record_visit refuses)."""
    return parse_date(text, "核验日期", "visit_date")


def record_visit_form(session: Session, actor: User, target: RoundTarget, visit_date: str, team: str,
                      findings: str, picks: dict[str, tuple[str, str]]) -> VerificationVisit:
    """record_visit from the visit form: the date as typed, the sampled leaves by code
    (code → (verified points, reason)), in scheme order; codes that do not apply are ignored."""
    _guard(actor, target)
    day = parse_visit_date(visit_date)
    st = round_structure(target.round)
    sampled = [SampledLeaf(leaf, *picks[leaf.code]) for leaf in st.leaves_for(target.category.name)
               if leaf.code in picks]
    return record_visit(session, actor, target, day, team, findings, sampled)


@dataclass
class LeafRow:
    leaf: Indicator
    self: Decimal | None  # the unit's self-score
    scores: list[Score]  # the assessors'
    mean: Decimal | None
    final: Decimal | None  # what a verification would replace
    source: str  # what replaced the mean ("" when nothing did)


@dataclass
class VerifyPage:
    leaves: list[LeafRow]
    visits: list[VerificationVisit]
    editable: bool


def verify_page(session: Session, actor: User, target: RoundTarget) -> VerifyPage:
    """The 实地核验 page of a target: its visits and, per leaf, every score a visit may replace."""
    permissions.ensure(permissions.why_not_open_scores(actor, target))
    return VerifyPage(_leaf_rows(session, target), visits_of(session, target),
                      permissions.can_verify(actor, target))


def _leaf_rows(session: Session, target: RoundTarget) -> list[LeafRow]:
    st = round_structure(target.round)
    sources = collect(session, target.round, st)
    scores = defaultdict(list)
    for s in session.scalars(select(Score).where(Score.target_id == target.id).order_by(Score.id)):
        scores[s.indicator_id].append(s)
    own = {i.indicator_id: i.points for i in session.scalars(select(SelfItem).where(SelfItem.target_id == target.id))}
    rows = []
    for leaf in st.leaves_for(target.category.name):
        mean = leaf_final([s.points for s in scores[leaf.id]], target.round.trimmed)
        out = sources.outcome(target.id, leaf.code, mean)
        rows.append(LeafRow(leaf, own.get(leaf.id), scores[leaf.id], mean, out.points,
                            out.source_label if out.replaced else ""))
    return rows
