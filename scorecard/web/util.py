"""Small helpers shared by the views."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..services.errors import PermissionDenied


def require(allowed: bool) -> None:
    """403 unless the named predicate said yes."""
    if not allowed:
        abort(403)


def get_or_404(session, model, ident):
    obj = session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def actor():
    return current_user._get_current_object()


__all__ = ["require", "get_or_404", "actor", "PermissionDenied"]
