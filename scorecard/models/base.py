"""Declarative base with a naming convention (so alembic batch mode can name constraints)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Points are stored with 2 decimals; SQLite does not enforce the scale, so the domain
# quantizes (ROUND_HALF_UP) before anything is stored.
Points = Numeric(10, 2, asdecimal=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {Decimal: Points, dict: JSON, list: JSON}


def utcnow() -> dt.datetime:
    """Naive UTC, identical on SQLite and PostgreSQL columns without time zone."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
