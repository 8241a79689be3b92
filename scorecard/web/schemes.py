"""(placeholder; being written)"""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("schemes", __name__, url_prefix="/schemes")


@bp.route("/")
@login_required
def index():
    return "…"
