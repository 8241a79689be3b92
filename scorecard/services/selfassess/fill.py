"""Self-assessment (自评): the unit's self-score per applicable leaf (typed by the leaf's rule),
a narrative (工作情况说明) and cited evidence; saved as drafts, then submitted as a whole.

Deadline: Round.self_deadline is the last local day on which a unit may save or submit new
work; afterwards only an assessor's reopening (review.reopen) or a returned item opens it again.
Every change writes a version row (the item's history) and an audit row.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from scorecard.domain.rules import RuleError, leaf_score, parse_input
from scorecard.models import (
    Evidence,
    EvidenceCitation,
    Indicator,
    Organisation,
    Round,
    RoundTarget,
    SelfAssessment,
    SelfItem,
    SelfItemVersion,
    User,
    utcnow,
)
from scorecard.services import audit, permissions
from scorecard.services import evidence as evidence_svc
from scorecard.services.clock import local_today
from scorecard.services.errors import ServiceError, StaleData
from scorecard.services.limits import NARRATIVE, check_length
from scorecard.services.rounds.ranking import round_structure

SUBJECT = "self_item"
EDITABLE = ("draft", "returned")
STATUS_ORDER = ["not_started", "draft", "submitted", "returned", "confirmed"]


def header(session: Session, target: RoundTarget) -> SelfAssessment | None:
    return session.scalar(select(SelfAssessment).where(SelfAssessment.target_id == target.id))


def ensure_header(session: Session, target: RoundTarget) -> SelfAssessment:
    sa = header(session, target)
    if sa is None:
        sa = SelfAssessment(target=target, status="draft")
        session.add(sa)
        session.flush()
    return sa


def leaves(target: RoundTarget) -> list[Indicator]:
    """The leaves that apply to the target's category, in scheme order."""
    return round_structure(target.round).leaves_for(target.category.name)


def items(session: Session, target: RoundTarget) -> dict[int, SelfItem]:
    rows = session.scalars(select(SelfItem).where(SelfItem.target_id == target.id)).all()
    return {i.indicator_id: i for i in rows}


def citations(session: Session, item: SelfItem | None) -> list[EvidenceCitation]:
    return [] if item is None or item.id is None else evidence_svc.citations_for(session, SUBJECT, item.id)


def target_status(session: Session, target: RoundTarget) -> str:
    sa = header(session, target)
    return sa.status if sa else "not_started"


def is_open(rnd: Round, sa: SelfAssessment | None, today: dt.date) -> bool:
    """May new work be saved or submitted today (deadline or an assessor's reopening)?"""
    if rnd.self_deadline is None or today <= rnd.self_deadline:
        return True
    return bool(sa and sa.reopened and (sa.reopen_until is None or today <= sa.reopen_until.date()))


def closed_message(rnd: Round) -> str:
    return (f"自评填报已于{rnd.self_deadline:%Y年%m月%d日}截止，不能再保存或提交；"
            "如需补报，请联系考核员为本单位重新开放填报")


def snapshot(session: Session, item: SelfItem) -> dict:
    return {"indicator": item.indicator.code, "input": item.input, "points": item.points,
            "narrative": item.narrative, "status": item.status,
            "evidence": [{"id": c.evidence_id, "title": c.evidence.title, "rejected": c.rejected}
                         for c in citations(session, item)]}


def add_version(session: Session, actor: User, item: SelfItem, action: str, reason: str | None = None) -> None:
    snap = snapshot(session, item)
    session.add(SelfItemVersion(item=item, action=action, by=actor, at=utcnow(), status=item.status,
                                input=item.input, points=item.points, narrative=item.narrative,
                                evidence=[{k: e[k] for k in ("id", "title", "rejected")} for e in snap["evidence"]],
                                reason=reason))


def leaf_rule(target: RoundTarget, code: str):
    """(indicator, rule) of a leaf that applies to the target, or None."""
    st = round_structure(target.round)
    if not st.applies(code, target.category.name):
        return None
    return st.leaf(code), st.rule(code)


def _check_leaf(target: RoundTarget, indicator: Indicator) -> None:
    st = round_structure(target.round)
    if indicator.scheme_id != target.round.scheme_id or not st.applies(indicator.code, target.category.name):
        raise ServiceError(f"指标“{indicator.code}”不是该考核对象适用的末级指标", "leaf")


def _parse(target: RoundTarget, indicator: Indicator, raw: dict | None):
    if raw is None:
        return None, None
    rule = round_structure(target.round).rule(indicator.code)
    try:
        value = parse_input(rule, raw)
        return value, leaf_score(rule, value)
    except RuleError as exc:
        raise ServiceError(f"{indicator.code} {indicator.name}：{exc}", getattr(exc, "field", None)) from None


def save_item(session: Session, actor: User, target: RoundTarget, indicator: Indicator, raw: dict | None,
              narrative: str = "", evidence_ids: list[int] | None = None,
              expected_version: int | None = None, check_version: bool = True,
              today: dt.date | None = None) -> SelfItem:
    """Save one leaf's self-assessment as a draft (raw None: no self-score yet).

    evidence_ids: the complete set of library files cited by this item afterwards."""
    permissions.ensure(permissions.why_not_self_assess(actor, target))
    _check_leaf(target, indicator)
    item = session.scalar(select(SelfItem).where(SelfItem.target_id == target.id,
                                                 SelfItem.indicator_id == indicator.id))
    sa = header(session, target)
    if item is not None and item.status not in EDITABLE:
        raise ServiceError(f"“{indicator.code} {indicator.name}”已{item.status_label}，不能修改；"
                           "如需修改，请联系考核员退回", "leaf")
    if (item is None or item.status != "returned") and not is_open(target.round, sa, today or local_today()):
        raise ServiceError(closed_message(target.round))
    stale = (f"“{indicator.code} {indicator.name}”已在别处被修改（可能是另一个窗口），"
             "为避免覆盖，本次保存未执行。请刷新页面后再修改。")
    if check_version and (item.version if item else None) != expected_version:
        raise StaleData(stale)
    narrative = check_length(narrative, f"{indicator.code} 工作情况说明", NARRATIVE, "narrative")
    value, points = _parse(target, indicator, raw)
    wanted = _library_files(session, target, evidence_ids or [])
    old = snapshot(session, item) if item else None
    if item is None:
        item = SelfItem(target=target, indicator=indicator, updated_by=actor, status="draft")
        session.add(item)
    item.input, item.points, item.narrative = value, points, narrative
    item.updated_by, item.updated_at = actor, utcnow()
    try:
        session.flush()
        _set_citations(session, actor, target, item, wanted)
        sa = ensure_header(session, target)
        refresh_status(session, sa)
        add_version(session, actor, item, "save")
        session.flush()
    except (IntegrityError, StaleDataError):
        # Another session saved this item (or the unit's first item) between our read and our
        # write: the versioned UPDATE matched no row, or the INSERT hit a unique key. Refuse,
        # never overwrite; the page keeps what the user typed.
        raise StaleData(stale) from None
    audit.record(session, actor, "update" if old else "create", "self_item", item.id,
                 old=old, new=snapshot(session, item))
    return item


def _library_files(session: Session, target: RoundTarget, ids: list[int]) -> list[Evidence]:
    files = []
    for ident in dict.fromkeys(ids):
        ev = session.get(Evidence, ident)
        if ev is None or ev.org_id != target.org_id:
            raise ServiceError(f"所选佐证材料（编号{ident}）不在“{target.org.name}”的佐证材料库中", "evidence")
        files.append(ev)
    return files


def _set_citations(session: Session, actor: User, target: RoundTarget, item: SelfItem,
                   wanted: list[Evidence]) -> None:
    have = {c.evidence_id: c for c in citations(session, item)}
    keep = {e.id for e in wanted}
    for ev_id, cit in have.items():
        if ev_id not in keep:
            evidence_svc.uncite(session, actor, cit.evidence, SUBJECT, item.id)
    for ev in wanted:
        if ev.id not in have:
            evidence_svc.cite(session, actor, ev, SUBJECT, item.id, org=target.org)


def missing_for_submit(session: Session, target: RoundTarget, by_leaf: dict[int, SelfItem]) -> list[str]:
    problems = []
    for ind in leaves(target):
        item = by_leaf.get(ind.id)
        label = f"{ind.code} {ind.name}"
        if item is None or item.points is None:
            problems.append(f"{label}：未填写自评分")
        elif ind.evidence_required and not [c for c in citations(session, item) if not c.rejected]:
            problems.append(f"{label}：该项要求提供佐证材料，请上传或引用至少一份")
    return problems


def submit(session: Session, actor: User, target: RoundTarget, today: dt.date | None = None) -> SelfAssessment:
    """Submit every draft and returned item of the target at once (all leaves must be filled)."""
    permissions.ensure(permissions.why_not_self_assess(actor, target))
    by_leaf = items(session, target)
    pending = [i for i in by_leaf.values() if i.status in EDITABLE]
    if not pending and by_leaf:
        raise ServiceError("没有需要提交的内容：各项均已提交或已确认")
    sa = header(session, target)
    first_time = any(i.status == "draft" for i in pending) or not by_leaf
    if first_time and not is_open(target.round, sa, today or local_today()):
        raise ServiceError(closed_message(target.round))
    problems = missing_for_submit(session, target, by_leaf)
    if problems:
        raise ServiceError("以下指标尚未完成，自评未提交：" + "；".join(problems))
    sa = ensure_header(session, target)
    old = {"status": sa.status}
    for item in pending:
        action = "resubmit" if item.status == "returned" else "submit"
        item.status, item.updated_by, item.updated_at = "submitted", actor, utcnow()
        add_version(session, actor, item, action)
    sa.submitted_at, sa.submitted_by = utcnow(), actor
    sa.reopened = False
    refresh_status(session, sa)
    session.flush()
    audit.record(session, actor, "submit", "self_assessment", sa.id, old=old,
                 new={"status": sa.status, "target": target.org.code, "items": len(pending)})
    return sa


def refresh_status(session: Session, sa: SelfAssessment) -> str:
    target = sa.target
    states = Counter(i.status for i in items(session, target).values())
    applicable = len(leaves(target))
    if states["returned"]:
        sa.status = "returned"
    elif applicable and states["confirmed"] >= applicable:
        sa.status = "confirmed"
    elif sa.submitted_at is not None and not states["draft"] and (states["submitted"] or states["confirmed"]):
        sa.status = "submitted"
    elif states:
        sa.status = "draft"
    else:
        sa.status = "not_started"
    return sa.status


def history(session: Session, item: SelfItem) -> list[SelfItemVersion]:
    return list(session.scalars(select(SelfItemVersion).where(SelfItemVersion.item_id == item.id)
                                .order_by(SelfItemVersion.id)))


def unit_targets(session: Session, actor: User) -> list[RoundTarget]:
    """Round targets the unit user may see: its organisation and subtree, newest round first."""
    if not permissions.is_unit(actor):
        return []
    rows = session.scalars(select(RoundTarget).join(Organisation, RoundTarget.org_id == Organisation.id)
                           .where(Organisation.path.startswith(actor.scope_org.path))
                           .order_by(RoundTarget.round_id.desc(), Organisation.path)).all()
    return [t for t in rows if permissions.can_view_self(actor, t)]


def progress(session: Session, rnd: Round) -> list[dict]:
    """Per category: targets by self-assessment status (not started … confirmed)."""
    states = {sa.target_id: sa.status for sa in session.scalars(
        select(SelfAssessment).join(RoundTarget).where(RoundTarget.round_id == rnd.id))}
    out: dict[int, dict] = {}
    for t in rnd.targets:
        row = out.setdefault(t.category_id, {"category": t.category, "total": 0,
                                             "counts": {s: 0 for s in STATUS_ORDER}})
        row["total"] += 1
        row["counts"][states.get(t.id, "not_started")] += 1
    return list(out.values())


def overdue(session: Session, rnd: Round, today: dt.date | None = None) -> list[tuple[RoundTarget, str]]:
    """Targets past the self-assessment deadline that have not submitted (and are not reopened)."""
    today = today or local_today()
    if rnd.self_deadline is None or today <= rnd.self_deadline or not rnd.scoring_open:
        return []
    heads = {sa.target_id: sa for sa in session.scalars(
        select(SelfAssessment).join(RoundTarget).where(RoundTarget.round_id == rnd.id))}
    late = []
    for t in rnd.targets:
        sa = heads.get(t.id)
        status = sa.status if sa else "not_started"
        if status in ("not_started", "draft") and not is_open(rnd, sa, today):
            late.append((t, status))
    return late
