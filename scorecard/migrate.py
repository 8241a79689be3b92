"""Schema changes go through alembic only: `scorecard init` calls upgrade()."""
from __future__ import annotations

from alembic import command
from alembic.config import Config

from scorecard.config import ROOT


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    # "heads": parallel branches of revisions (merged later by a merge revision) all apply.
    command.upgrade(alembic_config(url), revision)
