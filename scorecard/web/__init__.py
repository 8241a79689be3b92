"""The web layer: the app factory (app.py), one blueprint per area, helpers shared by views (common.py)."""
from scorecard.web.app import create_app

__all__ = ["create_app"]
