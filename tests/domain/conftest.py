"""Domain tests: make the repository root importable when the package is not
installed, and keep hypothesis' cache out of the working tree."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

if not os.getenv("HYPOTHESIS_STORAGE_DIRECTORY"):
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "scorecard-hypothesis")
