import pytest

from scorecard.storage import LocalStorage


@pytest.fixture
def world(make, session):
    w = make.world()
    session.commit()
    return w


@pytest.fixture
def store(tmp_path):
    return LocalStorage(tmp_path / "evidence")


def blobs(store) -> list:
    return sorted(p for p in store.root.rglob("*") if p.is_file())
