"""Evidence citations of appeals and nominations (optional: C1 — evidence is never required
unless a rule says so). Files come from the target organisation's library (services/evidence)
and are cited through the generic EvidenceCitation (subject "appeal" / "nomination"), so no
schema of this area changes."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from scorecard.domain.numbers import parse_id
from scorecard.models import RoundTarget, User
from scorecard.models.evidence import Evidence, EvidenceCitation
from scorecard.services import evidence as evidence_svc
from scorecard.services import permissions
from scorecard.services.errors import ServiceError


def parse_ids(values: Iterable[str | int]) -> list[int]:
    out = []
    for v in values:
        text = str(v).strip()
        if not text:
            continue
        number = parse_id(text)
        if number is None:
            raise ServiceError(f"佐证材料编号“{text}”无效", "evidence")
        out.append(number)
    return list(dict.fromkeys(out))


def cite_all(session: Session, actor: User, target: RoundTarget, subject: str, subject_id: int,
             evidence_ids: Iterable[int]) -> int:
    """Cite each file (from the target organisation's library) from the record."""
    count = 0
    for ev_id in evidence_ids:
        ev = session.get(Evidence, ev_id)
        if ev is None:
            raise ServiceError(f"佐证材料（编号{ev_id}）不存在", "evidence")
        evidence_svc.cite(session, actor, ev, subject, subject_id, org=target.org)
        count += 1
    return count


def library_for(session: Session, actor: User, target: RoundTarget) -> list[Evidence]:
    """Files the unit may cite for this target (empty when it may not see the library)."""
    if not permissions.can_view_library(actor, target.org):
        return []
    return evidence_svc.library(session, actor, target.org)


def cited(session: Session, subject: str, ids: Iterable[int]) -> dict[int, list[EvidenceCitation]]:
    ids = list(ids)
    out: dict[int, list[EvidenceCitation]] = defaultdict(list)
    if not ids:
        return out
    for c in session.scalars(select(EvidenceCitation).where(
            EvidenceCitation.subject == subject, EvidenceCitation.subject_id.in_(ids))
            .order_by(EvidenceCitation.id)):
        out[c.subject_id].append(c)
    return out
