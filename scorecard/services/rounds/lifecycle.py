"""Rounds: creation for a published scheme and a set of targets, phases, finalize."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from scorecard.domain.phases import TRANSITIONS, is_early_close, why_not_advance, why_not_close_publicity
from scorecard.models import Organisation, Round, RoundTarget, Scheme, User, utcnow
from scorecard.services import audit, permissions
from scorecard.services.clock import local_today
from scorecard.services.errors import PermissionDenied, ServiceError
from scorecard.services.publicity import appeals
from scorecard.services.rounds.ranking import compute_ranking


def latest_published(session: Session, code: str) -> Scheme:
    scheme = session.scalar(
        select(Scheme).where(Scheme.code == code, Scheme.status == "published").order_by(Scheme.version.desc())
    )
    if scheme is None:
        raise ServiceError(f"方案“{code}”不存在或尚未发布", "scheme")
    return scheme


def create_round(
    session: Session,
    actor: User,
    scheme: Scheme,
    code: str,
    name: str,
    target_codes: Iterable[str] | None = None,
    trimmed: bool = False,
) -> Round:
    if not permissions.can_manage_rounds(actor):
        raise PermissionDenied()
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ServiceError("轮次编码和名称不能为空", "code")
    if session.scalar(select(Round).where(Round.code == code)):
        raise ServiceError(f"轮次编码“{code}”已存在", "code")
    if scheme.status != "published":
        raise ServiceError("只能对已发布的方案开展考核", "scheme")
    permissions.ensure(permissions.why_not_use_scheme(actor, scheme))
    orgs = _targets(session, actor, scheme, target_codes)
    rnd = Round(code=code, name=name, scheme=scheme, owner_org=actor.scope_org, trimmed=trimmed)
    rnd.targets = [RoundTarget(org=o, category=o.category) for o in orgs]
    session.add(rnd)
    session.flush()
    audit.record(session, actor, "create", "round", rnd.id,
                 new={"code": code, "name": name, "scheme": f"{scheme.code} v{scheme.version}",
                      "targets": len(orgs)})
    return rnd


def _targets(session: Session, actor: User, scheme: Scheme, codes: Iterable[str] | None) -> list[Organisation]:
    allowed = {c.id for c in scheme.categories}
    scope = actor.scope_org.path
    if codes is None:
        orgs = session.scalars(
            select(Organisation).where(Organisation.category_id.is_not(None), Organisation.active,
                                       Organisation.path.startswith(scope)).order_by(Organisation.path)
        ).all()
        orgs = [o for o in orgs if not allowed or o.category_id in allowed]
        if not orgs:
            raise ServiceError("没有可考核的组织：请先为组织设置考核类别", "targets")
        return list(orgs)
    wanted = [c.strip() for c in codes if c and c.strip()]
    found = {o.code: o for o in session.scalars(select(Organisation).where(Organisation.code.in_(wanted)))}
    errors = []
    for c in wanted:
        org = found.get(c)
        if org is None:
            errors.append(f"组织编码“{c}”不存在")
        elif not org.path.startswith(scope):
            errors.append(f"组织“{org.name}”不在您的管理范围内")
        elif org.category_id is None:
            errors.append(f"组织“{org.name}”未设置考核类别")
        elif allowed and org.category_id not in allowed:
            errors.append(f"组织“{org.name}”的类别“{org.category.name}”不在方案适用类别中")
    if errors or not wanted:
        raise ServiceError("；".join(errors) or "考核对象不能为空", "targets")
    return [found[c] for c in dict.fromkeys(wanted)]


def advance(session: Session, actor: User, rnd: Round, action: str, today: dt.date | None = None,
            early_reason: str | None = None) -> Round:
    """Move a round to its next phase (domain/phases.py TRANSITIONS). 定档 closes 公示: only after
    its window ended, or early with a reason (audited, shown on the round page)."""
    if not permissions.can_change_round(actor, rnd):
        raise PermissionDenied()
    refusal = why_not_advance(rnd.phase, action)
    if refusal:
        raise ServiceError(refusal)
    day = today or local_today()
    early = None
    if action == "finalize":
        refusal = why_not_close_publicity(rnd.publicity_end, day, early_reason)
        if refusal:
            raise ServiceError(refusal, "early_reason")
        appeals.refuse_if_open(session, rnd)
        early = early_reason.strip() if is_early_close(rnd.publicity_end, day) else None
    old = rnd.phase
    rnd.phase = TRANSITIONS[action].target
    now = utcnow()
    if action == "publish":
        rnd.published_at = now
        appeals.open_window(rnd, day)
    if action == "finalize":
        if early:
            _close_publicity_early(session, actor, rnd, day, early)
        rnd.finalized_at = now
        report = compute_ranking(session, rnd, day)
        rnd.snapshot = report.to_dict()
    session.flush()
    new = {"phase": rnd.phase}
    if action == "publish":
        new.update(publicity_start=str(rnd.publicity_start), publicity_end=str(rnd.publicity_end))
    audit.record(session, actor, action, "round", rnd.id, old={"phase": old}, new=new, reason=early)
    return rnd


def _close_publicity_early(session: Session, actor: User, rnd: Round, day: dt.date, reason: str) -> None:
    old = {"publicity_end": str(rnd.publicity_end)}
    rnd.publicity_closed_on, rnd.publicity_close_reason = day, reason
    session.flush()
    audit.record(session, actor, "close_publicity_early", "round", rnd.id, old=old,
                 new={"closed_on": day.isoformat()}, reason=reason)


def round_by_code(session: Session, code: str) -> Round:
    rnd = session.scalar(select(Round).where(Round.code == code))
    if rnd is None:
        raise ServiceError(f"轮次“{code}”不存在", "round")
    return rnd


def visible_rounds(session: Session, actor: User, predicate=permissions.can_view_round) -> list[Round]:
    """The rounds owned within the actor's scope that `predicate` lets them see, newest first."""
    rounds = session.scalars(
        select(Round).join(Organisation, Round.owner_org_id == Organisation.id)
        .where(Organisation.path.startswith(actor.scope_org.path)).order_by(Round.id.desc())
    ).all()
    return [r for r in rounds if predicate(actor, r)]
