"""Every evidence test runs twice: on the local folder and on an S3-compatible server (moto's
standalone server on loopback), the backend chosen through SCORECARD_* environment variables
exactly as in production."""
import uuid
from pathlib import Path

import pytest

from scorecard.storage import LocalStorage, storage_for
from tests.evidence.s3server import MotoServer

S3_PREFIX = "scorecard/evidence"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    server = MotoServer(tmp_path_factory.mktemp("moto"))
    yield server
    server.stop()


@pytest.fixture(params=["local", "s3"])
def backend(request):
    return request.param


@pytest.fixture
def evidence_env(backend, monkeypatch, tmp_path, request):
    """SCORECARD_* variables for the backend, set before the app is created."""
    if backend == "local":
        env = {"SCORECARD_EVIDENCE_STORAGE": "local", "SCORECARD_EVIDENCE_DIR": str(tmp_path / "evidence")}
    else:
        server = request.getfixturevalue("s3_server")
        bucket = f"ev-{uuid.uuid4().hex[:12]}"
        server.client().create_bucket(Bucket=bucket)
        env = server.env(bucket, S3_PREFIX)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def app(evidence_env, app):
    return app


@pytest.fixture
def world(make, session):
    w = make.world()
    session.commit()
    return w


@pytest.fixture
def store(app):
    """The app's own storage, built from its configuration."""
    return storage_for(app)


def blobs(store) -> list[str]:
    """The keys of every object the store holds, sorted."""
    if isinstance(store, LocalStorage):
        return sorted(p.relative_to(store.root).as_posix() for p in Path(store.root).rglob("*") if p.is_file())
    pages = store.client.get_paginator("list_objects_v2").paginate(Bucket=store.bucket)
    names = [o["Key"] for page in pages for o in page.get("Contents", [])]
    assert all(n.startswith(store.prefix) for n in names), names
    return sorted(n[len(store.prefix):] for n in names)
