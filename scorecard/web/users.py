"""(placeholder; being written)"""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.route("/")
@login_required
def index():
    return "…"
