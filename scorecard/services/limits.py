"""check_length: the services' one length check of a typed text (the table: domain/limits.py)."""
from __future__ import annotations

from scorecard.domain.limits import (  # noqa: F401  (re-exported for the services)
    COMMENT,
    DEDUCTION,
    DESCRIPTION,
    LIMITS,
    NARRATIVE,
    REASON,
    TEAM,
    TITLE,
    length_error,
)
from scorecard.services.errors import ServiceError


def check_length(value: str | None, label: str, limit: int, field: str | None = None) -> str:
    """The stripped text, or a ServiceError naming the field (label) when it is too long."""
    text = (value or "").strip()
    message = length_error(text, label, limit)
    if message:
        raise ServiceError(message, field)
    return text
