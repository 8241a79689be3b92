"""(placeholder; being written)"""
from flask import Blueprint
from flask_login import login_required

bp = Blueprint("orgs", __name__, url_prefix="/orgs")


@bp.route("/")
@login_required
def index():
    return "…"
