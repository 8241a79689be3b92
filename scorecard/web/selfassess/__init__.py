"""Self-assessment (自评) and its review (审核): the blueprint; its route modules register on it."""
from flask import Blueprint

bp = Blueprint("selfassess", __name__)
