"""The send-a-file step of sending an email: each file value in the personalisation becomes a download link.

Runs before the notification's transaction and holds no database session: storing a file is a network
call (S3 in production). Every value is checked before any file is stored, so a bad second file leaves no
first file behind. A send refused later (say, an unknown template) leaves its stored files unreachable:
their keys were never given to anyone, and they are removed when they expire.
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from notify_shared.documents import sealing
from notify_shared.documents.store import DocumentStore
from notify_shared.errors import BadRequestError
from notify_shared.logging import get_logger

from ..api_keys import Caller
from . import files
from .sealed import Document, recipient_hash, seal_document

log = get_logger(__name__)

UPLOAD_DOCUMENT_PERMISSION = "upload_document"
NOT_ALLOWED = "Service is not allowed to send documents"
NOT_AN_EMAIL = "Can only send a file by email"


def reject_files(personalisation: Mapping[str, Any]) -> None:
    """Texts and letters cannot carry files (Notify checks this for every non-email template)."""
    if any(files.is_file_value(v) for v in personalisation.values()):
        raise BadRequestError(NOT_AN_EMAIL)


def download_url(base_url: str, service_id: uuid.UUID, document_id: uuid.UUID | str, key: bytes | None) -> str:
    url = f"{base_url.rstrip('/')}/d/{service_id}/{document_id}"
    return f"{url}?key={sealing.key_to_text(key)}" if key is not None else url


def attach_files(store: DocumentStore, caller: Caller, personalisation: Mapping[str, Any], *, recipient: str,
                 simulated: bool, base_url: str, now: datetime | None = None) -> Mapping[str, Any]:
    """The personalisation with every file value replaced by its download link (unchanged if none)."""
    keys = [k for k, v in personalisation.items() if files.is_file_value(v)]
    if not keys:
        return personalisation
    for name in keys:
        files.check_shape(personalisation[name])
    service_id = caller.service.id
    if not caller.service.has_permission(UPLOAD_DOCUMENT_PERMISSION):
        raise BadRequestError(NOT_ALLOWED)
    uploads = {name: files.parse_upload(personalisation[name]) for name in keys}
    result = dict(personalisation)
    if simulated:
        # Notify stores nothing for its smoke-test addresses and links to a placeholder document.
        for name in keys:
            result[name] = download_url(base_url, service_id, "test-document", None)
        return result
    now = now or datetime.now(UTC)
    for name, upload in uploads.items():
        result[name] = _store(store, service_id, upload, recipient=recipient, base_url=base_url, now=now)
    return result


def _store(store: DocumentStore, service_id: uuid.UUID, upload: files.Upload, *, recipient: str, base_url: str,
           now: datetime) -> str:
    document_id = uuid.uuid4()
    key = sealing.new_key()
    expires_at = now + timedelta(weeks=upload.retention_weeks)
    document = Document(
        filename=upload.filename or f"{document_id}.{upload.extension}",
        mimetype=upload.mimetype,
        recipient_sha256=recipient_hash(recipient) if upload.confirm_email else None,
        content=upload.content,
    )
    blob = seal_document(key, document, service_id=service_id, document_id=document_id, expires_at=expires_at)
    store.put(service_id, document_id, blob, expires_at=expires_at,
              retention_period=f"{upload.retention_weeks} weeks")
    log.info("document_stored", service_id=str(service_id), document_id=str(document_id), size=len(upload.content),
             retention_weeks=upload.retention_weeks, confirm_email=upload.confirm_email)
    return download_url(base_url, service_id, document_id, key)
