"""The deployment's local time: deadlines (自评截止 is inclusive) and times shown to people are in
SCORECARD_TIMEZONE (default Asia/Shanghai); the database keeps UTC."""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

from scorecard.services.errors import ServiceError


def local_zone() -> dt.tzinfo:
    try:
        return ZoneInfo(os.environ.get("SCORECARD_TIMEZONE") or "Asia/Shanghai")
    except Exception:  # no tz database: China has no DST, UTC+8 is exact
        return dt.timezone(dt.timedelta(hours=8))


def local_today() -> dt.date:
    return dt.datetime.now(local_zone()).date()


def local_time(utc: dt.datetime) -> dt.datetime:
    """A naive UTC timestamp from the database, in local time."""
    return utc.replace(tzinfo=dt.timezone.utc).astimezone(local_zone())


def parse_date(text: str | None, label: str, field: str | None = None) -> dt.date | None:
    """A date typed into a form (YYYY-MM-DD); blank is None, anything else a refusal naming the field."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ServiceError(f"{label}“{text}”不是有效的日期（格式：2025-12-31）", field) from None
