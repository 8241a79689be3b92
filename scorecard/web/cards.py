"""Score cards (评分卡): the explainable card of one round target, as a printable page and a
one-sheet workbook. Units see their own organisation's cards (and their subtree's) once the
results are published; assessors, leaders and admins within their scope."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scorecard.domain.numbers import fmt
from scorecard.exports.cards import card_columns, card_title, summary_lines, top_values, write_card_workbook
from scorecard.models import Organisation, Round, RoundTarget
from scorecard.services import permissions
from scorecard.services.cards.card import build_card
from scorecard.services.errors import PermissionDenied
from scorecard.web.common import actor, exporting, get_db, get_or_404, require, send_workbook, table_header

bp = Blueprint("cards", __name__, url_prefix="/cards")

LIST_LIMIT = 500


def _card(target_id: int):
    db = get_db()
    target = get_or_404(db, RoundTarget, target_id)
    require(permissions.can_view_card(current_user, target))
    try:
        return target, build_card(db, actor(), target)
    except PermissionDenied:
        abort(403)


def _cell(column, item) -> tuple[str, str, str]:
    value = column.value(item)
    if value is None:
        text = ""
    elif column.kind == "num":
        text = fmt(value)
    else:
        text = str(value)
    return column.key, column.kind, text


def _value_text(key: str, value) -> str:
    if isinstance(value, str):
        return value
    if key == "rank":
        return f"第 {value} 名"
    if key == "delta":
        return f"+{fmt(value)}" if value > 0 else fmt(value)
    return fmt(value)


@bp.route("/targets/<int:target_id>")
@login_required
def show(target_id: int):
    target, card = _card(target_id)
    cols = card_columns(card)
    tops = []
    for top in card.tops:
        values = top_values(top)
        cells = [(c.key, c.kind, fmt(values[c.key]) if c.kind == "num" and values.get(c.key) is not None
                  else str(values.get(c.key) or "")) for c in cols]
        tops.append({"top": top, "cells": cells,
                     "leaves": [{"leaf": leaf, "cells": [_cell(c, leaf) for c in cols]} for leaf in top.leaves]})
    summary = [(key, label, _value_text(key, value), text) for key, label, value, text in summary_lines(card)]
    return render_template("cards/show.html", target=target, card=card, cols=cols, header=table_header(cols),
                           tops=tops, summary=summary, title=card_title(card),
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
    require(current_user.role in ("admin", "assessor", "leader", "unit"))
    db = get_db()
    targets = db.scalars(
        select(RoundTarget).join(Organisation, RoundTarget.org_id == Organisation.id)
        .join(Round, RoundTarget.round_id == Round.id)
        .where(Organisation.path.startswith(current_user.scope_org.path))
        .options(selectinload(RoundTarget.org), selectinload(RoundTarget.round))
        .order_by(Round.id.desc(), Organisation.path).limit(LIST_LIMIT)
    ).all()
    rounds: dict[int, dict] = {}
    for t in targets:
        if permissions.can_view_card(current_user, t):
            rounds.setdefault(t.round_id, {"round": t.round, "targets": []})["targets"].append(t)
    return render_template("cards/index.html", rounds=list(rounds.values()), limit=LIST_LIMIT,
                           truncated=len(targets) >= LIST_LIMIT)
