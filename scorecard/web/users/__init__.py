"""Accounts (账号) of the administrator: the blueprint; its route modules register on it."""
from flask import Blueprint

bp = Blueprint("users", __name__, url_prefix="/users")
