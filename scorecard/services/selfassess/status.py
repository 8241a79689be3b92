"""Self-assessment (自评填报) status of a round's targets, and the evidence they cite, for the
dashboard and the burden report.

Self-assessment and the evidence library are built in their own modules
(scorecard/models/selfassess.py, scorecard/models/evidence.py). This adapter reads them when they
are there and answers None when they are not, so dashboards work with or without them.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scorecard.models import Round, RoundTarget

NOT_STARTED = "not_started"


@dataclass
class SelfAssessProgress:
    targets: int
    counts: dict[str, int]  # status label -> targets, in workflow order (zeros included)


def _module(name: str):
    try:
        return importlib.import_module(f"scorecard.models.{name}")
    except ImportError:
        return None


def selfassess_progress(session: Session, rnd: Round) -> SelfAssessProgress | None:
    """Targets per self-assessment state (未填报 when a target has not started)."""
    module = _module("selfassess")
    model = getattr(module, "SelfAssessment", None)
    labels: dict[str, str] = getattr(module, "TARGET_STATUS", None) or {}
    if model is None:
        return None
    rows = session.execute(
        select(model.status, func.count()).join(RoundTarget, model.target_id == RoundTarget.id)
        .where(RoundTarget.round_id == rnd.id).group_by(model.status)
    ).all()
    found = {status: n for status, n in rows}
    started = sum(found.values())
    counts = {labels.get(NOT_STARTED, "未填报"): len(rnd.targets) - started}
    for status, label in labels.items():
        if status != NOT_STARTED:
            counts[label] = found.pop(status, 0)
    for status, n in found.items():  # a state the label table does not know
        counts[status] = n
    return SelfAssessProgress(len(rnd.targets), counts)


def cited_evidence(session: Session, rnd: Round) -> dict[int, int] | None:
    """Per round target: distinct evidence files its self-assessment items cite (None when
    self-assessment or the evidence library does not exist)."""
    sa, ev = _module("selfassess"), _module("evidence")
    item = getattr(sa, "SelfItem", None)
    citation = getattr(ev, "EvidenceCitation", None)
    if item is None or citation is None:
        return None
    rows = session.execute(
        select(item.target_id, func.count(func.distinct(citation.evidence_id)))
        .join(citation, (citation.subject == "self_item") & (citation.subject_id == item.id))
        .join(RoundTarget, item.target_id == RoundTarget.id)
        .where(RoundTarget.round_id == rnd.id).group_by(item.target_id)
    ).all()
    return {target_id: n for target_id, n in rows}
