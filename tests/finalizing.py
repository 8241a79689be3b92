"""Finalize (定档) a round in tests the way it is allowed: through 公示, after its window ended."""
from __future__ import annotations

import datetime as dt

from scorecard.services.rounds import lifecycle


def finalize(session, actor, rnd, today: dt.date | None = None):
    """Publish if not yet in 公示, then 定档 the day after the window ends (no early close)."""
    if rnd.phase != "publicity":
        lifecycle.advance(session, actor, rnd, "publish", today=today)
    return lifecycle.advance(session, actor, rnd, "finalize", today=rnd.publicity_end + dt.timedelta(days=1))
