"""When a 公示 may be closed (定档): after its window, or early with a reason (DESIGN §3)."""
import datetime as dt

import pytest

from scorecard.domain.phases import TRANSITIONS, is_early_close, why_not_close_publicity

END = dt.date(2025, 12, 16)  # last day of the window (inclusive)


@pytest.mark.parametrize(
    "today, reason, refused",
    [
        (END + dt.timedelta(days=1), None, None),  # the window has ended
        (END + dt.timedelta(days=30), "", None),
        (END, None, "公示期至2025-12-16结束，尚未期满，不能定档"),  # its last day is still open
        (END - dt.timedelta(days=6), "  ", "尚未期满"),  # first day, a blank reason is no reason
        (END - dt.timedelta(days=6), "经研究提前结束", None),  # audited early close
        (END, "x" * 2001, "不能超过2000字"),
    ],
)
def test_why_not_close_publicity(today, reason, refused):
    got = why_not_close_publicity(END, today, reason)
    assert got is None if refused is None else refused in got


def test_no_window_needs_a_reason_and_other_verbs():
    assert "公示期未设置，不能定级" in why_not_close_publicity(None, END, None, verb="定级")
    assert why_not_close_publicity(None, END, "补录") is None
    assert is_early_close(None, END) and is_early_close(END, END) and not is_early_close(END, END + dt.timedelta(1))


def test_finalize_only_from_publicity():
    assert TRANSITIONS["finalize"].sources == ("publicity",)
