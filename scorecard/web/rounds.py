"""(placeholder; being written)"""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("rounds", __name__, url_prefix="/rounds")


@bp.route("/")
@login_required
def index():
    return "…"


@bp.route("/<int:round_id>")
@login_required
def show(round_id):
    return "…"


@bp.route("/<int:round_id>/ranking")
@login_required
def ranking(round_id):
    return "…"
