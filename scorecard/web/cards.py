"""Score cards (评分卡): the explainable card of one round target, as a printable page and a
one-sheet workbook. Units see their own organisation's cards (and their subtree's) once the
results are published; assessors, leaders and admins within their scope."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from scorecard.exports.cards import (
    card_columns,
    card_title,
    page_summary,
    page_tops,
    write_card_workbook,
)
from scorecard.models import RoundTarget
from scorecard.services import permissions
from scorecard.services.cards.card import build_card
from scorecard.services.cards.listing import card_list
from scorecard.web.common import (
    actor,
    exporting,
    get_db,
    get_or_404,
    send_workbook,
    table_header,
)

bp = Blueprint("cards", __name__, url_prefix="/cards")


def _card(target_id: int):
    db = get_db()
    target = get_or_404(db, RoundTarget, target_id)
    return target, build_card(db, actor(), target)  # PermissionDenied: the app's 403 page


@bp.route("/targets/<int:target_id>")
@login_required
def show(target_id: int):
    target, card = _card(target_id)
    cols = card_columns(card)
    return render_template("cards/show.html", target=target, card=card, cols=cols, header=table_header(cols),
                           tops=page_tops(card, cols), summary=page_summary(card), title=card_title(card),
                           can_ranking=permissions.can_view_ranking(current_user, target.round))


@bp.route("/targets/<int:target_id>.xlsx")
@login_required
@exporting
def xlsx(target_id: int):
    _target, card = _card(target_id)
    return send_workbook(f"{card.round_name}_{card_title(card)}", lambda path: write_card_workbook(card, path))


@bp.route("/")
@login_required
def index():
    """The cards this account may open: its scope's targets in every round it can see."""
    listing = card_list(get_db(), actor())
    return render_template("cards/index.html", rounds=listing.rounds, limit=listing.limit,
                           truncated=listing.truncated)
