"""init, serve, demo."""
from __future__ import annotations

import click

from ..migrate import upgrade
from . import Context, main, pass_ctx


@main.command()
@pass_ctx
def init(ctx: Context) -> None:
    """Create or upgrade the database (alembic)."""
    upgrade(ctx.config["DATABASE_URL"])
    click.echo(f"数据库已就绪：{_safe_url(ctx.config['DATABASE_URL'])}")


def _safe_url(url: str) -> str:
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Production WSGI server (waitress)."""
    from waitress import serve as waitress_serve

    from ..web import create_app

    app = create_app()
    click.echo(f"scorecard 正在运行：http://{host}:{port}/")
    waitress_serve(app, host=host, port=port, threads=threads)
