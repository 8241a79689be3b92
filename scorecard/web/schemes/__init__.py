"""Schemes (考核方案): the blueprint; its route modules register on it."""
from flask import Blueprint

bp = Blueprint("schemes", __name__, url_prefix="/schemes")
