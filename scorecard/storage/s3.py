"""Evidence files in an S3-compatible bucket (MinIO, Ceph RGW, SeaweedFS, Garage, 阿里云 OSS,
腾讯云 COS, AWS S3 …) through boto3.

Chosen with SCORECARD_EVIDENCE_STORAGE=s3; configured with SCORECARD_S3_ENDPOINT_URL,
SCORECARD_S3_BUCKET, SCORECARD_S3_ACCESS_KEY, SCORECARD_S3_SECRET_KEY, SCORECARD_S3_REGION
(default us-east-1), SCORECARD_S3_PREFIX (optional, e.g. "scorecard/evidence") and
SCORECARD_S3_ADDRESSING_STYLE ("path" by default, which self-hosted stores expect; "virtual"
for stores that refuse path-style requests, such as 阿里云 OSS).

Object names are <prefix><server-generated key> (storage.check_key); the bucket must exist.
One boto3 client per app (storage_for caches the storage); boto3 clients are thread-safe and
each worker process builds its own.
"""
from __future__ import annotations

from typing import BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from scorecard.storage.base import StorageError, check_key, new_key

_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3Storage:
    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client = client
        self.bucket = bucket
        prefix = (prefix or "").strip().strip("/")
        self.prefix = f"{prefix}/" if prefix else ""

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _fail(self, op: str, key: str, exc: Exception) -> StorageError:
        return StorageError(f"S3 {op} of {self.bucket}/{self.prefix}{key} failed: {exc}")

    def put(self, data: bytes, ext: str) -> str:
        key = new_key(ext)
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data,
                                   ContentType="application/octet-stream")
        except (BotoCoreError, ClientError) as exc:
            raise self._fail("put", key, exc) from exc
        return key

    def open(self, key: str) -> BinaryIO:
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                raise FileNotFoundError(f"{self.bucket}/{self.prefix}{key}") from exc
            raise self._fail("get", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("get", key, exc) from exc
        return obj["Body"]  # a streaming, readable, closable body

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except (BotoCoreError, ClientError) as exc:
            raise self._fail("delete", key, exc) from exc

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return False
            raise self._fail("head", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("head", key, exc) from exc
        return True


def make_client(config: dict):
    style = config.get("S3_ADDRESSING_STYLE") or "path"
    if style not in ("path", "virtual"):
        raise RuntimeError(f"SCORECARD_S3_ADDRESSING_STYLE must be 'path' or 'virtual', not {style!r}")
    botocfg = Config(
        s3={"addressing_style": style},
        signature_version="s3v4",
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"},
        # boto3 >= 1.36 adds CRC checksums to every request by default; many S3-compatible
        # stores reject or mishandle them, so only send them where the API requires it.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=config.get("S3_ENDPOINT_URL") or None,
        region_name=config.get("S3_REGION") or "us-east-1",
        aws_access_key_id=config.get("S3_ACCESS_KEY") or None,
        aws_secret_access_key=config.get("S3_SECRET_KEY") or None,
        config=botocfg,
    )


def from_config(config: dict) -> S3Storage:
    bucket = config.get("S3_BUCKET") or ""
    if not bucket:
        raise RuntimeError("SCORECARD_EVIDENCE_STORAGE=s3 needs SCORECARD_S3_BUCKET")
    return S3Storage(make_client(config), bucket, config.get("S3_PREFIX") or "")
