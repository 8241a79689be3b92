"""`scorecard serve` runs gunicorn with several worker processes that keep no state of their own:
a login made through one worker is valid on every other, and two windows of the same assessor
saving the same cell at once over HTTP get one 200 and one 409 (never a silent overwrite)."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from scorecard.models import Score
from tests.factories import PASSWORD
from tests.load.http_client import Client

from .conftest import ROOT, cli_env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(db_url, tmp_path):
    port = _free_port()
    log = open(tmp_path / "serve.log", "w+")
    proc = subprocess.Popen([sys.executable, "-c", "from scorecard.cli import main; main()", "serve",
                             "--port", str(port), "--workers", "3", "--threads", "2"],
                            env=cli_env(db_url, tmp_path / "inst"), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert proc.poll() is None, (log.seek(0), log.read())[1]
            time.sleep(0.1)
    yield port, proc
    proc.terminate()
    proc.wait(timeout=30)
    log.seek(0)
    assert "Traceback" not in log.read()


def _workers(pid: int, expected: int, timeout: float = 30) -> set[int]:
    """The master's children, waiting until `expected` have been forked (the port accepts
    connections as soon as the master binds, before every worker is up)."""
    deadline = time.monotonic() + timeout
    while True:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
        found = {int(p) for p in out.split()}
        if len(found) >= expected or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_serve_runs_several_stateless_workers(server, session, make, tmp_path):
    w = make.world()
    rnd = make.round(make.scheme(), w["root"], [w["a"], w["b"]])
    session.commit()
    port, proc = server
    assert len(_workers(proc.pid, 3)) == 3
    assert (tmp_path / "inst" / "secret_key").exists()  # one key, made before the workers started

    # A login through one connection; then fresh connections (spread over the workers) all accept it.
    client = Client("127.0.0.1", port, keep_alive=False)
    client.login("assessor", PASSWORD)
    for _ in range(12):
        status, headers, _ = client.get(f"/rounds/{rnd.id}")
        assert status == 200, (status, headers.get("Location"))

    # Two windows of the same assessor save the same cell at once with the version they saw.
    target_id = rnd.targets[0].id
    windows = [Client("127.0.0.1", port) for _ in range(2)]
    for c in windows:
        c.cookies, c.csrf = dict(client.cookies), client.csrf
    for n in range(4):
        version = session.scalar(select(Score.version).where(Score.target_id == target_id))
        session.rollback()
        barrier, results = threading.Barrier(2), [None, None]

        def save(k):
            barrier.wait()
            results[k] = windows[k].post_json("/api/scores", {"target_id": target_id, "leaf_code": "1.1",
                                                              "value": str(30 + k + n), "version": version})
        threads = [threading.Thread(target=save, args=(k,)) for k in (0, 1)]
        [t.start() for t in threads]
        [t.join(timeout=60) for t in threads]
        statuses = sorted(r[0] for r in results)
        assert statuses == [200, 409], results
        winner = next(k for k in (0, 1) if results[k][0] == 200)
        assert "已在别处被修改" in results[1 - winner][1]["error"]
        stored = session.scalar(select(Score).where(Score.target_id == target_id))
        assert stored.points == Decimal(30 + winner + n) and stored.version == results[winner][1]["version"]
        session.rollback()
