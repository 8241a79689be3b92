"""Scoring: the score form and grid, score import/export, 实地核验 and 述职评议 votes: the blueprint; its route modules register on it."""
from flask import Blueprint

bp = Blueprint("scores", __name__)
