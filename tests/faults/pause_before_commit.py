"""Run the scorecard CLI with Session.commit replaced by: flush everything, record what the
open transaction sees (FAULT_PROBE_SQL, one scalar) in FAULT_MARKER, then sleep until killed.

The fault tests start this as a real process and `kill -9` it at that moment: the worst case for
atomicity, with every row of the command written inside a transaction that never commits.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session


def _commit(self: Session) -> None:
    self.flush()
    probe = self.execute(text(os.environ["FAULT_PROBE_SQL"])).scalar()
    marker = Path(os.environ["FAULT_MARKER"])
    tmp = marker.with_suffix(".tmp")
    tmp.write_text(f"{os.getpid()} {probe}")
    os.replace(tmp, marker)
    time.sleep(600)
    raise SystemExit("not killed")


Session.commit = _commit

if __name__ == "__main__":
    from scorecard.cli import main

    sys.argv[0] = "scorecard"
    main()
