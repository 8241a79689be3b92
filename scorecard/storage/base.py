"""The storage interface every backend follows, and its server-generated keys."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import BinaryIO, Protocol

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
