"""Landing page: what this account can do next."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from scorecard.services.rounds.lifecycle import visible_rounds
from scorecard.web.common import actor, get_db

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    return render_template("home.html", rounds=visible_rounds(get_db(), actor()))
