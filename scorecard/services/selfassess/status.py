"""Self-assessment (自评填报) status of a round's targets, and the evidence they cite, for the
dashboard and the burden report."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scorecard.models import TARGET_STATUS, EvidenceCitation, Round, RoundTarget, SelfAssessment, SelfItem

NOT_STARTED = "not_started"


@dataclass
class SelfAssessProgress:
    targets: int
    counts: dict[str, int]  # status label -> targets, in workflow order (zeros included)


def selfassess_progress(session: Session, rnd: Round) -> SelfAssessProgress:
    """Targets per self-assessment state (未填报 when a target has not started)."""
    rows = session.execute(
        select(SelfAssessment.status, func.count()).join(RoundTarget, SelfAssessment.target_id == RoundTarget.id)
        .where(RoundTarget.round_id == rnd.id).group_by(SelfAssessment.status)
    ).all()
    found = {status: n for status, n in rows}
    started = sum(found.values())
    counts = {TARGET_STATUS.get(NOT_STARTED, "未填报"): len(rnd.targets) - started}
    for status, label in TARGET_STATUS.items():
        if status != NOT_STARTED:
            counts[label] = found.pop(status, 0)
    for status, n in found.items():  # a state the label table does not know
        counts[status] = n
    return SelfAssessProgress(len(rnd.targets), counts)


def cited_evidence(session: Session, rnd: Round) -> dict[int, int]:
    """Per round target: distinct evidence files its self-assessment items cite."""
    rows = session.execute(
        select(SelfItem.target_id, func.count(func.distinct(EvidenceCitation.evidence_id)))
        .join(EvidenceCitation, (EvidenceCitation.subject == "self_item") & (EvidenceCitation.subject_id == SelfItem.id))
        .join(RoundTarget, SelfItem.target_id == RoundTarget.id)
        .where(RoundTarget.round_id == rnd.id).group_by(SelfItem.target_id)
    ).all()
    return {target_id: n for target_id, n in rows}
