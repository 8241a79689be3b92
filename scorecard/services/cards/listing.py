"""The 评分卡 list: the round targets whose cards an account may open, grouped by round."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scorecard.models import Organisation, Round, RoundTarget, User
from scorecard.services import permissions
from scorecard.services.errors import PermissionDenied

LIST_LIMIT = 500


@dataclass
class RoundCards:
    round: Round
    targets: list[RoundTarget] = field(default_factory=list)


@dataclass
class CardList:
    rounds: list[RoundCards]
    limit: int
    truncated: bool  # the newest `limit` targets of the scope only


def card_list(session: Session, actor: User, limit: int = LIST_LIMIT) -> CardList:
    """The scope's targets in every round, newest round first, those the actor may open."""
    if not permissions.can_list_cards(actor):
        raise PermissionDenied()
    targets = session.scalars(
        select(RoundTarget).join(Organisation, RoundTarget.org_id == Organisation.id)
        .join(Round, RoundTarget.round_id == Round.id)
        .where(Organisation.path.startswith(actor.scope_org.path))
        .options(selectinload(RoundTarget.org), selectinload(RoundTarget.round))
        .order_by(Round.id.desc(), Organisation.path).limit(limit)
    ).all()
    rounds: dict[int, RoundCards] = {}
    for t in targets:
        if permissions.can_view_card(actor, t):
            rounds.setdefault(t.round_id, RoundCards(t.round)).targets.append(t)
    return CardList(list(rounds.values()), limit, len(targets) >= limit)
