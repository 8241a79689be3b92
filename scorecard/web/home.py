"""Landing page: what this account can do next."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from scorecard.models import Organisation, Round
from scorecard.services import permissions
from scorecard.web.common import get_db

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    db = get_db()
    scope_path = current_user.scope_org.path
    rounds = db.scalars(
        select(Round).join(Organisation, Round.owner_org_id == Organisation.id)
        .where(Organisation.path.startswith(scope_path)).order_by(Round.id.desc())
    ).all()
    rounds = [r for r in rounds if permissions.can_view_round(current_user, r)]
    return render_template("home.html", rounds=rounds)
