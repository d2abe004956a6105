"""Files sent by email: sealed under a per-document key, stored on disk or in S3 with their expiry."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from notify_shared.documents import sealing
from notify_shared.documents.store import FilesystemDocumentStore, S3DocumentStore, document_store

EXPIRES = datetime(2027, 1, 1, tzinfo=UTC)


def test_a_sealed_blob_opens_only_with_its_key_at_its_place():
    key, service_id, document_id = sealing.new_key(), uuid.uuid4(), uuid.uuid4()
    aad = sealing.associated_data(service_id, document_id, EXPIRES)
    blob = sealing.seal(key, b"secret", aad)

    assert sealing.unseal(key, blob, aad) == b"secret"
    assert b"secret" not in blob
    for wrong_key, wrong_aad in [
        (sealing.new_key(), aad),
        (key, sealing.associated_data(service_id, uuid.uuid4(), EXPIRES)),
        (key, sealing.associated_data(service_id, document_id, EXPIRES + timedelta(weeks=1))),
    ]:
        with pytest.raises(sealing.WrongKey):
            sealing.unseal(wrong_key, blob, wrong_aad)


def test_keys_travel_as_unpadded_url_safe_text():
    key = sealing.new_key()
    text = sealing.key_to_text(key)

    assert "=" not in text and sealing.key_from_text(text) == key
    for bad in ("", "abc", "!!!!", sealing.key_to_text(b"short")):
        with pytest.raises(ValueError):
            sealing.key_from_text(bad)


def test_filesystem_store_round_trips_and_sweeps_expired_documents(tmp_path):
    store = FilesystemDocumentStore(tmp_path / "documents")
    service_id, live, old = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)

    assert store.get(service_id, live) is None
    store.put(service_id, live, b"blob\nwith newline", expires_at=now + timedelta(weeks=1), retention_period="1 weeks")
    store.put(service_id, old, b"old", expires_at=now - timedelta(seconds=1), retention_period="1 weeks")

    assert store.get(service_id, live).blob == b"blob\nwith newline"
    assert store.get(service_id, live).expires_at == now + timedelta(weeks=1)
    assert list(store.expired(now)) == [(service_id, old)]
    assert store.delete_expired(now) == 1
    assert store.get(service_id, old) is None and store.get(service_id, live) is not None


def test_configuration_picks_s3_when_a_bucket_is_named(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")

    assert document_store().directory.as_posix() == "var/documents"
    assert isinstance(document_store(directory="/tmp/x"), FilesystemDocumentStore)
    assert isinstance(document_store(bucket="documents"), S3DocumentStore)


def test_s3_store_round_trips_a_document_with_its_expiry_and_retention_tag(s3_bucket):
    store = S3DocumentStore(s3_bucket.name, endpoint_url=s3_bucket.endpoint)
    service_id, document_id = uuid.uuid4(), uuid.uuid4()

    assert store.get(service_id, document_id) is None
    store.put(service_id, document_id, b"sealed", expires_at=EXPIRES, retention_period="4 weeks")
    stored = store.get(service_id, document_id)
    tags = s3_bucket.client.get_object_tagging(Bucket=s3_bucket.name, Key=f"{service_id}/{document_id}")["TagSet"]
    store.delete(service_id, document_id)

    assert (stored.blob, stored.expires_at) == (b"sealed", EXPIRES)
    assert tags == [{"Key": "retention-period", "Value": "4 weeks"}]
    assert store.get(service_id, document_id) is None
