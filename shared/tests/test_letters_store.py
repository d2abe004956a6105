"""Letter PDFs are stored and read back by notification id, on disk or in S3."""
from __future__ import annotations

import uuid

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


def test_s3_store_round_trips_a_pdf_against_an_s3_endpoint(s3_bucket):
    store = S3PdfStore(s3_bucket.name, endpoint_url=s3_bucket.endpoint)
    notification_id = uuid.uuid4()

    assert store.get(notification_id) is None and not store.exists(notification_id)
    store.put(notification_id, b"%PDF-1.4 test")

    assert store.get(notification_id) == b"%PDF-1.4 test" and store.exists(notification_id)
