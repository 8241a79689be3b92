"""Evidence files on local (or shared, mounted) disk."""
from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from scorecard.storage.base import check_key, new_key


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
