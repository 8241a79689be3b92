"""init, serve, demo."""
from __future__ import annotations

import click

from scorecard.cli.base import Context, main, pass_ctx
from scorecard.migrate import upgrade


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
@click.option("--workers", default=None, type=int, help="Worker processes (gunicorn; default 2×CPUs+1).")
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per worker.")
@click.option("--server", type=click.Choice(["auto", "gunicorn", "waitress"]), default="auto", show_default=True,
              help="auto: gunicorn on Linux/macOS, waitress on Windows or without gunicorn.")
@click.option("--timeout", default=120, show_default=True, type=int, help="Worker timeout in seconds (gunicorn).")
def serve(host: str, port: int, workers: int | None, threads: int, server: str, timeout: int) -> None:
    """Production WSGI server: gunicorn with several workers (waitress on Windows)."""
    from scorecard.serving import run

    run(host, port, workers, threads, server, timeout)
