"""The send-a-file knobs come from the environment, with local defaults that need nothing set up."""
from __future__ import annotations

import pytest

from notify_api.config import ApiSettings


def test_defaults_keep_files_on_disk_and_link_to_the_api_itself(monkeypatch):
    for name in ("DOCUMENT_DOWNLOAD_BASE_URL", "DOCUMENTS_BUCKET", "DOCUMENT_STORE_DIR", "S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = ApiSettings.from_env()

    assert (settings.document_download_base_url, settings.documents_bucket, settings.document_store_dir) == (
        "", "", "var/documents")


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("DOCUMENT_DOWNLOAD_BASE_URL", "https://documents.example.org")
    monkeypatch.setenv("DOCUMENTS_BUCKET", "notify-documents")
    monkeypatch.setenv("S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    settings = ApiSettings.from_env().validate()

    assert settings.document_download_base_url == "https://documents.example.org"
    assert (settings.documents_bucket, settings.documents_s3_endpoint_url) == ("notify-documents",
                                                                               "http://127.0.0.1:9000")


def test_a_base_url_must_be_a_url(monkeypatch):
    monkeypatch.setenv("DOCUMENT_DOWNLOAD_BASE_URL", "documents.example.org")

    with pytest.raises(ValueError, match="DOCUMENT_DOWNLOAD_BASE_URL must be an http"):
        ApiSettings.from_env().validate()
