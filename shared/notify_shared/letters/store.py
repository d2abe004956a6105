"""Where letter PDFs live: one interface, a directory locally and an S3 bucket in production.

Chosen by configuration: LETTER_PDF_BUCKET set → S3 (credentials and region from boto3's usual
environment, S3_ENDPOINT_URL for an S3-compatible endpoint); otherwise LETTER_PDF_DIR (default
var/letter-pdfs). Keys are the notification id, so every process finds a letter's PDF the same way.
"""
from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from typing import Protocol


class PdfStore(Protocol):
    def put(self, notification_id: uuid.UUID, pdf: bytes) -> None: ...

    def get(self, notification_id: uuid.UUID) -> bytes | None: ...

    def exists(self, notification_id: uuid.UUID) -> bool: ...


def _key(notification_id: uuid.UUID) -> str:
    return f"{notification_id}.pdf"


class FilesystemPdfStore:
    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def _path(self, notification_id: uuid.UUID) -> Path:
        return self.directory / _key(notification_id)

    def put(self, notification_id: uuid.UUID, pdf: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a PDF.
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(pdf)
        os.replace(tmp, self._path(notification_id))

    def get(self, notification_id: uuid.UUID) -> bytes | None:
        try:
            return self._path(notification_id).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, notification_id: uuid.UUID) -> bool:
        return self._path(notification_id).is_file()


class S3PdfStore:
    def __init__(self, bucket: str, *, endpoint_url: str | None = None, client=None) -> None:
        import boto3

        self.bucket = bucket
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url or None)

    def put(self, notification_id: uuid.UUID, pdf: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=_key(notification_id), Body=pdf, ContentType="application/pdf")

    def get(self, notification_id: uuid.UUID) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=_key(notification_id))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None

    def exists(self, notification_id: uuid.UUID) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=_key(notification_id))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


def pdf_store_from_env(environ: dict[str, str] | None = None) -> PdfStore:
    env = os.environ if environ is None else environ
    bucket = env.get("LETTER_PDF_BUCKET", "").strip()
    if bucket:
        return S3PdfStore(bucket, endpoint_url=env.get("S3_ENDPOINT_URL", "").strip() or None)
    return FilesystemPdfStore(env.get("LETTER_PDF_DIR", "").strip() or "var/letter-pdfs")
