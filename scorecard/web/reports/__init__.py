"""Analysis reports of a round and background export jobs: the blueprint; its route modules register on it."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
