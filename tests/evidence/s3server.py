"""A real S3-compatible HTTP server for tests: moto's standalone server (`moto[server]`, a
test dependency) in a child process on a free loopback port.

Missing moto is an error, never a skip: the evidence tests run against both backends."""
from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ACCESS_KEY, SECRET_KEY, REGION = "scorecard-test", "scorecard-test-secret", "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MotoServer:
    def __init__(self, log_dir: Path):
        if importlib.util.find_spec("moto.server") is None or importlib.util.find_spec("boto3") is None:
            raise RuntimeError("the S3 evidence tests need moto[server] and boto3: pip install -e '.[test]'")
        self._client = None
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_dir / "moto_server.log", "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto_server exited with {self.proc.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + "/moto-api/", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto_server did not answer on {self.url} within {timeout} s")

    def client(self):
        """A plain boto3 client for the test's own checks (one per server)."""
        if self._client is None:
            import boto3

            self._client = boto3.session.Session().client(
                "s3", endpoint_url=self.url, region_name=REGION,
                aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        return self._client

    def env(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """The SCORECARD_* variables that point the app at this server."""
        return {"SCORECARD_EVIDENCE_STORAGE": "s3", "SCORECARD_S3_ENDPOINT_URL": self.url,
                "SCORECARD_S3_BUCKET": bucket, "SCORECARD_S3_ACCESS_KEY": ACCESS_KEY,
                "SCORECARD_S3_SECRET_KEY": SECRET_KEY, "SCORECARD_S3_PREFIX": prefix}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
