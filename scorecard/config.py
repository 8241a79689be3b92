"""Configuration from the environment (SCORECARD_*), with embedded defaults."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from scorecard.db import default_sqlite_url
from scorecard.slots import default_slots

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = ROOT / "instance"


def load_config(overrides: dict | None = None) -> dict:
    overrides = dict(overrides or {})
    instance = Path(overrides.pop("INSTANCE_PATH", os.environ.get("SCORECARD_INSTANCE", DEFAULT_INSTANCE)))
    instance.mkdir(parents=True, exist_ok=True)
    config = {
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": os.environ.get("SCORECARD_DATABASE_URL") or default_sqlite_url(instance),
        "DATA_DIR": os.environ.get("SCORECARD_DATA_DIR") or str(instance / "data"),
        "SECRET_KEY": os.environ.get("SCORECARD_SECRET_KEY") or _instance_secret(instance),
        "MAX_EVIDENCE_MB": int(os.environ.get("SCORECARD_MAX_EVIDENCE_MB") or 20),
        "EVIDENCE_STORAGE": os.environ.get("SCORECARD_EVIDENCE_STORAGE") or "local",
        "EVIDENCE_DIR": os.environ.get("SCORECARD_EVIDENCE_DIR") or "",
        # EVIDENCE_STORAGE=s3 (scorecard/storage/s3.py): an S3-compatible bucket
        "S3_ENDPOINT_URL": os.environ.get("SCORECARD_S3_ENDPOINT_URL") or "",
        "S3_BUCKET": os.environ.get("SCORECARD_S3_BUCKET") or "",
        "S3_ACCESS_KEY": os.environ.get("SCORECARD_S3_ACCESS_KEY") or "",
        "S3_SECRET_KEY": os.environ.get("SCORECARD_S3_SECRET_KEY") or "",
        "S3_REGION": os.environ.get("SCORECARD_S3_REGION") or "us-east-1",
        "S3_PREFIX": os.environ.get("SCORECARD_S3_PREFIX") or "",
        "S3_ADDRESSING_STYLE": os.environ.get("SCORECARD_S3_ADDRESSING_STYLE") or "path",
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": os.environ.get("SCORECARD_SECURE_COOKIES") == "1",
        "WTF_CSRF_TIME_LIMIT": None,
        # Workbook exports computing at once on this machine (scorecard/slots.py) and how long a
        # request waits for a free slot before a “please retry” page.
        "EXPORT_SLOTS": int(os.environ.get("SCORECARD_EXPORT_SLOTS") or default_slots()),
        "EXPORT_SLOT_WAIT": float(os.environ.get("SCORECARD_EXPORT_SLOT_WAIT") or 60),
        # Background export jobs one user may have queued or running at once (reports/jobs.py).
        "MAX_JOBS_PER_USER": int(os.environ.get("SCORECARD_MAX_JOBS_PER_USER") or 2),
    }
    config.update(overrides)
    # Request bodies may carry one evidence file plus form fields; a slightly larger file still
    # reaches the upload service, which answers with the limit in a clear message.
    config.setdefault("MAX_CONTENT_LENGTH", (config["MAX_EVIDENCE_MB"] + 5) * 1024 * 1024)
    return config


def _instance_secret(instance: Path) -> str:
    """A per-installation secret kept in the instance folder, so restarts keep sessions."""
    path = instance / "secret_key"
    if not path.exists():
        # O_EXCL: when several processes start at once, exactly one writes the key and all share it.
        tmp = instance / f".secret_key.{os.getpid()}"
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
