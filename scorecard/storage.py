"""Where evidence files live: a small pluggable interface.

Files are stored under server-generated keys ("2025/<uuid hex>.pdf"); a user-supplied name is
never part of a path. `LocalStorage` (the default) keeps them in a folder outside any static
folder (config EVIDENCE_DIR, default <DATA_DIR>/evidence in the instance folder). Another
backend registers itself in BACKENDS and is chosen with SCORECARD_EVIDENCE_STORAGE=<name>;
"s3" (scorecard/storage_s3.py, needs the `s3` extra: boto3) keeps them in an S3-compatible bucket.

Errors every backend follows: `open` of a missing key raises FileNotFoundError; a store that
cannot be reached or refuses the operation raises StorageError (an OSError).
"""
from __future__ import annotations

import datetime as dt
import os
import re
import threading
import uuid
from pathlib import Path
from typing import BinaryIO, Callable, Protocol

_KEY = re.compile(r"^[0-9]{4}/[0-9a-f]{32}\.[a-z0-9]{1,8}$")


class StorageError(OSError):
    """The storage backend is unreachable or refused the operation (not: a missing key)."""


class Storage(Protocol):
    def put(self, data: bytes, ext: str) -> str:
        """Store the bytes under a new server-generated key and return the key."""

    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the stored file (caller closes)."""

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


def new_key(ext: str) -> str:
    ext = re.sub(r"[^a-z0-9]", "", ext.lower())[:8] or "bin"
    return f"{dt.date.today().year}/{uuid.uuid4().hex}.{ext}"


def check_key(key: str) -> str:
    if not _KEY.match(key or ""):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


class LocalStorage:
    """Files on local (or shared, mounted) disk under `root`."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, data: bytes, ext: str) -> str:
        key = new_key(ext)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return key

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def _local(config: dict) -> Storage:
    root = config.get("EVIDENCE_DIR") or os.path.join(config["DATA_DIR"], "evidence")
    return LocalStorage(root)


def _s3(config: dict) -> Storage:
    try:
        from .storage_s3 import from_config
    except ImportError as exc:  # boto3 is an optional extra
        raise RuntimeError("SCORECARD_EVIDENCE_STORAGE=s3 needs boto3: pip install 'scorecard[s3]'") from exc
    return from_config(config)


BACKENDS: dict[str, Callable[[dict], Storage]] = {"local": _local, "s3": _s3}


def make_storage(config: dict) -> Storage:
    name = config.get("EVIDENCE_STORAGE") or "local"
    if name not in BACKENDS:
        raise RuntimeError(f"unknown evidence storage backend {name!r} (known: {', '.join(BACKENDS)})")
    return BACKENDS[name](config)


_CREATE = threading.Lock()


def storage_for(app) -> Storage:
    """The app's storage (and so its one boto3 client), created once per app from its config.

    Created on first use, so in a forking server every worker process builds its own."""
    store = app.extensions.get("scorecard.storage")
    if store is None:
        with _CREATE:  # threaded workers: one storage per app even when first requests race
            store = app.extensions.get("scorecard.storage")
            if store is None:
                store = app.extensions["scorecard.storage"] = make_storage(app.config)
    return store
