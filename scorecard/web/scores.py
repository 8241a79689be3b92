"""(placeholder; being written)"""
from flask import Blueprint

bp = Blueprint("scores", __name__)
