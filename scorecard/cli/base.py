"""The `scorecard` console script's groups and unit of work. Commands call the same services as the web views and
commit once at the end; any error rolls everything back and exits non-zero."""
from __future__ import annotations

import contextlib
import sys

import click

from scorecard.config import load_config
from scorecard.db import make_engine, make_session_factory
from scorecard.importers.common import ImportFailed
from scorecard.services.errors import ServiceError


class Context:
    def __init__(self) -> None:
        self.config = load_config()
        self.engine = make_engine(self.config["DATABASE_URL"])
        self.sessions = make_session_factory(self.engine)

    @contextlib.contextmanager
    def unit_of_work(self, dry_run: bool = False):
        """One transaction per command; ImportFailed/ServiceError print Chinese messages, exit 1."""
        session = self.sessions()
        try:
            yield session
            if dry_run:
                session.rollback()
                click.echo("（试运行：未写入数据库）")
            else:
                session.commit()
        except ImportFailed as exc:
            session.rollback()
            click.echo(f"导入失败，共{len(exc.issues)}处问题，数据库未作任何修改：", err=True)
            for issue in exc.issues:
                click.echo(f"  - {issue}", err=True)
            sys.exit(1)
        except ServiceError as exc:
            session.rollback()
            click.echo(f"错误：{exc.message}", err=True)
            sys.exit(1)
        finally:
            session.close()


pass_ctx = click.make_pass_decorator(Context, ensure=True)


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """党建考核与积分 scorecard."""
    ctx.obj = Context()


@main.group("import")
def import_group() -> None:
    """Import organisations, schemes and scores from Excel."""


@main.group("export")
def export_group() -> None:
    """Export score templates and ranking workbooks."""


@main.group("user")
def user_group() -> None:
    """Accounts."""


@main.group("scheme")
def scheme_group() -> None:
    """Schemes (考核方案)."""


@main.group("round")
def round_group() -> None:
    """Rounds (考核轮次)."""
