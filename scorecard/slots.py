"""A few export slots shared by every app process on the machine (file locks in the instance
folder), so that leaders' workbook downloads cannot take every core from assessors saving
scores in the last week of a round.

A workbook of a 500-target round is about half a second of CPU; ten leaders asking at once
would otherwise keep both cores of a small server busy and every score save would queue
behind them. With N slots, at most N exports compute at a time; the others wait (holding no
CPU) and go on in turn. Locks are flock()s: the kernel releases them when a process dies, so a
killed worker never leaves a slot taken.
"""
from __future__ import annotations

import fcntl
import os
import random
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

BUSY_MESSAGE = "当前生成导出文件的请求较多，请稍后再试"


class SlotsBusy(Exception):
    """No slot became free within the wait."""


def default_slots() -> int:
    """Half the cores (at least one): the other half stays with the interactive requests."""
    return max(1, (os.cpu_count() or 2) // 2)


@contextmanager
def slot(folder: str | os.PathLike, slots: int, wait: float, poll: float = 0.05) -> Iterator[int]:
    """Hold one of `slots` slots in `folder` for the duration of the block; wait up to `wait`
    seconds for one, then raise SlotsBusy. Yields the slot number."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        for number in random.sample(range(slots), slots):  # no slot is everyone's first try
            fd = os.open(folder / f"slot-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield number
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            return
        if time.monotonic() >= deadline:
            raise SlotsBusy(BUSY_MESSAGE)
        time.sleep(poll * (0.5 + random.random()))
