"""Where evidence files live: a small pluggable interface.

Files are stored under server-generated keys ("2025/<uuid hex>.pdf"); a user-supplied name is
never part of a path. `LocalStorage` (the default) keeps them in a folder outside any static
folder (config EVIDENCE_DIR, default <DATA_DIR>/evidence in the instance folder). Another
backend registers itself in BACKENDS and is chosen with SCORECARD_EVIDENCE_STORAGE=<name>;
"s3" (scorecard/storage/s3.py, needs the `s3` extra: boto3) keeps them in an S3-compatible bucket.

Errors every backend follows: `open` of a missing key raises FileNotFoundError; a store that
cannot be reached or refuses the operation raises StorageError (an OSError).
"""
from __future__ import annotations

import os
import threading
from typing import Callable

from scorecard.storage.base import Storage, StorageError, check_key, new_key
from scorecard.storage.local import LocalStorage

__all__ = ["Storage", "StorageError", "LocalStorage", "check_key", "new_key", "make_storage", "storage_for"]


def _local(config: dict) -> Storage:
    root = config.get("EVIDENCE_DIR") or os.path.join(config["DATA_DIR"], "evidence")
    return LocalStorage(root)


def _s3(config: dict) -> Storage:
    try:
        from scorecard.storage.s3 import from_config
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
