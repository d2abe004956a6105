"""Where sealed documents live: one interface, a directory locally and an S3 bucket in production.

Chosen by configuration, like the letter PDF store: a bucket name → S3 (credentials and region from
boto3's usual environment, an endpoint URL for an S3-compatible service); otherwise a directory (default
var/documents). A document is stored under `<service_id>/<document_id>` with its expiry beside it in
clear, so a clean-up job can find expired documents without any key; the contents are only ever the
sealed blob (notify_shared.documents.sealing).

Expiry is enforced when a document is downloaded (the API refuses and deletes it). Removing documents
nobody downloads again is the store's job: an S3 lifecycle rule on the `retention-period` tag in
production (one rule per "N weeks" value, as Notify does), or `FilesystemDocumentStore.delete_expired`
from a periodic job locally.
"""
from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlencode

DEFAULT_DIRECTORY = "var/documents"


@dataclass(frozen=True)
class StoredDocument:
    blob: bytes
    expires_at: datetime


class DocumentStore(Protocol):
    def put(self, service_id: uuid.UUID, document_id: uuid.UUID, blob: bytes, *, expires_at: datetime,
            retention_period: str) -> None: ...

    def get(self, service_id: uuid.UUID, document_id: uuid.UUID) -> StoredDocument | None: ...

    def delete(self, service_id: uuid.UUID, document_id: uuid.UUID) -> None: ...


def _key(service_id: uuid.UUID, document_id: uuid.UUID) -> str:
    return f"{service_id}/{document_id}"


class FilesystemDocumentStore:
    """One file per document: a line of JSON (expiry, retention) then the sealed blob."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def _path(self, service_id: uuid.UUID, document_id: uuid.UUID) -> Path:
        # UUID objects, never caller text, so a path can only ever be inside the directory.
        return self.directory / str(uuid.UUID(str(service_id))) / str(uuid.UUID(str(document_id)))

    def put(self, service_id: uuid.UUID, document_id: uuid.UUID, blob: bytes, *, expires_at: datetime,
            retention_period: str) -> None:
        path = self._path(service_id, document_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        header = json.dumps({"expires_at": expires_at.isoformat(), "retention_period": retention_period})
        # Write then rename: a reader never sees half a document.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(header.encode() + b"\n" + blob)
        os.replace(tmp, path)

    def get(self, service_id: uuid.UUID, document_id: uuid.UUID) -> StoredDocument | None:
        try:
            data = self._path(service_id, document_id).read_bytes()
        except FileNotFoundError:
            return None
        header, _, blob = data.partition(b"\n")
        return StoredDocument(blob=blob, expires_at=datetime.fromisoformat(json.loads(header)["expires_at"]))

    def delete(self, service_id: uuid.UUID, document_id: uuid.UUID) -> None:
        self._path(service_id, document_id).unlink(missing_ok=True)

    def expired(self, now: datetime) -> Iterator[tuple[uuid.UUID, uuid.UUID]]:
        """(service_id, document_id) of every document past its expiry; reads only each header line."""
        for path in self.directory.glob("*/*"):
            if path.suffix == ".part":
                continue
            try:
                with path.open("rb") as f:
                    expires_at = datetime.fromisoformat(json.loads(f.readline())["expires_at"])
                service_id, document_id = uuid.UUID(path.parent.name), uuid.UUID(path.name)
            except (OSError, ValueError, KeyError):
                continue
            if expires_at <= now:
                yield service_id, document_id

    def delete_expired(self, now: datetime) -> int:
        """What a periodic clean-up would run locally; S3 uses a lifecycle rule instead."""
        count = 0
        for service_id, document_id in list(self.expired(now)):
            self.delete(service_id, document_id)
            count += 1
        return count


class S3DocumentStore:
    def __init__(self, bucket: str, *, endpoint_url: str | None = None, client=None) -> None:
        import boto3

        self.bucket = bucket
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url or None)

    def put(self, service_id: uuid.UUID, document_id: uuid.UUID, blob: bytes, *, expires_at: datetime,
            retention_period: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=_key(service_id, document_id), Body=blob,
            ContentType="application/octet-stream",
            Metadata={"expires-at": expires_at.isoformat()},
            # A bucket lifecycle rule per retention period deletes documents nobody fetches again.
            Tagging=urlencode({"retention-period": retention_period}),
        )

    def get(self, service_id: uuid.UUID, document_id: uuid.UUID) -> StoredDocument | None:
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=_key(service_id, document_id))
        except self.client.exceptions.NoSuchKey:
            return None
        return StoredDocument(blob=obj["Body"].read(),
                              expires_at=datetime.fromisoformat(obj["Metadata"]["expires-at"]))

    def delete(self, service_id: uuid.UUID, document_id: uuid.UUID) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=_key(service_id, document_id))


def document_store(*, bucket: str = "", directory: str = "", endpoint_url: str = "") -> DocumentStore:
    """S3 when a bucket is named, otherwise a directory (DEFAULT_DIRECTORY when none is given)."""
    if bucket.strip():
        return S3DocumentStore(bucket.strip(), endpoint_url=endpoint_url.strip() or None)
    return FilesystemDocumentStore(directory.strip() or DEFAULT_DIRECTORY)
