"""`scorecard serve`: a production WSGI server with several worker processes.

Linux/macOS: gunicorn (worker processes × threads, ``gthread`` workers). Windows, or where
gunicorn is not installed: waitress (one process, threads). App processes keep no state of
their own: sessions are signed cookies, the SECRET_KEY comes from the environment or the
instance folder (created once, here, before any worker starts), and everything else is in
the database.
"""
from __future__ import annotations

import os
import socket
import sys

import click


def default_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


def pick_server(name: str) -> str:
    if name != "auto":
        return name
    if sys.platform == "win32":
        return "waitress"
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return "waitress"
    return "gunicorn"


def check_port(host: str, port: int) -> None:
    """A clear message instead of a server's traceback when the address is taken."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is fine
        try:
            probe.bind((host, port))
        except OSError:
            raise click.ClickException(f"地址 {host}:{port} 已被占用（可能已有一个 scorecard 在运行）。"
                                       f"请先关闭它，或换一个端口，例如 --port {port + 1}") from None


def run(host: str, port: int, workers: int | None, threads: int, server: str, timeout: int) -> None:
    from scorecard.config import load_config

    check_port(host, port)
    load_config()  # creates instance/ and its secret_key once, before any worker exists
    server = pick_server(server)
    if server == "gunicorn":
        workers = workers or default_workers()
        click.echo(f"scorecard 正在运行：http://{host}:{port}/（gunicorn，{workers}个进程×{threads}线程）")
        _gunicorn(host, port, workers, threads, timeout)
    else:
        from waitress import serve

        from scorecard.web import create_app

        click.echo(f"scorecard 正在运行：http://{host}:{port}/（waitress，{threads}线程）")
        serve(create_app(), host=host, port=port, threads=threads)


def _gunicorn(host: str, port: int, workers: int, threads: int, timeout: int) -> None:
    from gunicorn.app.base import BaseApplication

    class App(BaseApplication):
        def load_config(self):
            options = {
                "bind": f"{host}:{port}", "workers": workers, "threads": threads,
                "worker_class": "gthread", "timeout": timeout, "graceful_timeout": 30,
                "preload_app": False,  # every worker builds its own app and engine after fork
                "accesslog": os.environ.get("SCORECARD_ACCESS_LOG"), "errorlog": "-",
            }
            # gunicorn ≥ 25 opens a control socket in $HOME by default, shared by every instance
            # of the same user; scorecard doesn't use it (several servers may run side by side).
            if "control_socket_disable" in self.cfg.settings:
                options["control_socket_disable"] = True
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from scorecard.web import create_app

            return create_app()

    App().run()
