"""Rounds (考核轮次): list, create, phases, ranking, per-target page: the blueprint; its route modules register on it."""
from flask import Blueprint

bp = Blueprint("rounds", __name__, url_prefix="/rounds")
