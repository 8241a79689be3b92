"""The `scorecard` console script: the groups (base.py) and one module of commands per area."""
from scorecard.cli import admin, backup, demo, orgs, reports, rounds, schemes, security  # noqa: F401  (register commands)
from scorecard.cli.base import main

__all__ = ["main"]
