"""The unit's self-assessment shown read-only beside each leaf on the assessor's per-target
score page: self-score (with how it was computed), narrative and cited evidence.

Queries are services/selfassess/fill.py's; drafts stay private to the unit (the same rule as the
score card's self-score column). Evidence links only for files the viewer may open."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from scorecard.domain.rules import RuleError, describe_input
from scorecard.models import EvidenceCitation, RoundTarget, SelfItem, User
from scorecard.services import permissions
from scorecard.services.cards.extras import SHOWN_SELF_STATUS
from scorecard.services.rounds.ranking import round_structure
from scorecard.services.selfassess import fill as selfassess


@dataclass
class SelfBeside:
    item: SelfItem
    explained: str
    evidence: list[tuple[EvidenceCitation, bool]]  # (citation, viewer may open the file)


def self_beside(session: Session, actor: User, target: RoundTarget) -> dict[int, SelfBeside]:
    """indicator id → the unit's submitted (returned, confirmed) self-assessment of that leaf."""
    if not permissions.can_view_self(actor, target):
        return {}
    st = round_structure(target.round)
    out: dict[int, SelfBeside] = {}
    for ind_id, item in selfassess.items(session, target).items():
        if item.status not in SHOWN_SELF_STATUS:
            continue
        out[ind_id] = SelfBeside(item, _explain(st, item), [
            (c, permissions.can_view_evidence(actor, c.evidence)) for c in selfassess.citations(session, item)])
    return out


def _explain(st, item: SelfItem) -> str:
    if item.input is None:
        return ""
    try:
        return describe_input(st.rule(item.indicator.code), item.input)
    except (RuleError, KeyError):
        return ""
