"""Letter PDFs are stored and read back by notification id, on disk or in S3."""
from __future__ import annotations

import uuid
from urllib.parse import urlparse

import boto3

from notify_shared.letters.store import FilesystemPdfStore, S3PdfStore, pdf_store_from_env


def test_filesystem_store_round_trips_a_pdf(tmp_path):
    store = FilesystemPdfStore(tmp_path / "pdfs")
    notification_id = uuid.uuid4()

    assert store.get(notification_id) is None and not store.exists(notification_id)
    store.put(notification_id, b"%PDF-1.4 test")

    assert store.get(notification_id) == b"%PDF-1.4 test" and store.exists(notification_id)


def test_configuration_picks_s3_when_a_bucket_is_set(tmp_path):
    assert isinstance(pdf_store_from_env({"LETTER_PDF_DIR": str(tmp_path)}), FilesystemPdfStore)
    assert pdf_store_from_env({}).directory.as_posix() == "var/letter-pdfs"
    assert isinstance(pdf_store_from_env({"LETTER_PDF_BUCKET": "letters", "AWS_DEFAULT_REGION": "eu-west-2"}),
                      S3PdfStore)


def test_s3_store_round_trips_a_pdf_against_an_s3_endpoint(broker_url, monkeypatch):
    # The session's moto server speaks S3 as well as SQS.
    endpoint = f"http://{urlparse(broker_url).hostname}:{urlparse(broker_url).port}"
    for name, value in {"AWS_ACCESS_KEY_ID": "notify", "AWS_SECRET_ACCESS_KEY": "notify",
                        "AWS_DEFAULT_REGION": "eu-west-2"}.items():
        monkeypatch.setenv(name, value)
    bucket = f"letters-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    store = S3PdfStore(bucket, endpoint_url=endpoint)
    notification_id = uuid.uuid4()

    assert store.get(notification_id) is None and not store.exists(notification_id)
    store.put(notification_id, b"%PDF-1.4 test")

    assert store.get(notification_id) == b"%PDF-1.4 test" and store.exists(notification_id)
