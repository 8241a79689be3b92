"""公示 and 申诉 (appeals), 绩优推报 (nominations): the blueprint; its route modules register on it."""
from flask import Blueprint

bp = Blueprint("publicity", __name__, url_prefix="/publicity")
