"""Extra score-card columns from other areas: the unit's self-score (自评分) and the evidence it
cited (佐证材料). Each provider fills `leaf.extras[key]` and
returns the `CardExtra` columns it added (none when it has nothing to show)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scorecard.models import Evidence, EvidenceCitation, RoundTarget, SelfItem
from scorecard.services.cards.model import CardExtra, ScoreCard

SHOWN_SELF_STATUS = ("submitted", "returned", "confirmed")


def _self_items(session: Session, target: RoundTarget) -> dict[int, object]:
    items = session.scalars(select(SelfItem).where(SelfItem.target_id == target.id,
                                                   SelfItem.status.in_(SHOWN_SELF_STATUS))).all()
    return {i.indicator_id: i for i in items}


def self_scores(session: Session, target: RoundTarget, card: ScoreCard) -> list[CardExtra]:
    """The unit's submitted self-score of every leaf (drafts are not shown)."""
    items = _self_items(session, target)
    if not items:
        return []
    ids = {ind.code: ind.id for ind in target.round.scheme.indicators}
    for leaf in card.leaves:
        item = items.get(ids.get(leaf.code))
        leaf.extras["self_score"] = item.points if item is not None else None
    return [CardExtra("self_score", "自评分", "num", 8)]


def cited_evidence(session: Session, target: RoundTarget, card: ScoreCard) -> list[CardExtra]:
    """Titles of the evidence the unit cited for each leaf (citations marked irrelevant excluded)."""
    items = _self_items(session, target)
    if not items:
        return []
    by_item = {i.id: i.indicator_id for i in items.values()}
    rows = session.execute(
        select(EvidenceCitation.subject_id, Evidence.title)
        .join(Evidence, EvidenceCitation.evidence_id == Evidence.id)
        .where(EvidenceCitation.subject == "self_item", EvidenceCitation.subject_id.in_(list(by_item)),
               EvidenceCitation.rejected.is_(False))
        .order_by(EvidenceCitation.id)
    ).all()
    if not rows:
        return []
    titles: dict[int, list[str]] = {}
    for item_id, title in rows:
        titles.setdefault(by_item[item_id], []).append(title)
    ids = {ind.code: ind.id for ind in target.round.scheme.indicators}
    for leaf in card.leaves:
        leaf.extras["evidence"] = "；".join(titles.get(ids.get(leaf.code), []))
    return [CardExtra("evidence", "佐证材料", "text", 24)]



LEAF_EXTRAS = (self_scores, cited_evidence)
