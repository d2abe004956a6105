"""A document's sealed form: its description (name, type, who may fetch it) and its bytes under one key."""
from __future__ import annotations

import hashlib
import hmac
import json
import struct
import uuid
from dataclasses import dataclass
from datetime import datetime

from notify_shared.documents import sealing


@dataclass(frozen=True)
class Document:
    filename: str
    mimetype: str
    # sha256 of the lower-cased recipient address when the recipient must confirm it before downloading.
    recipient_sha256: str | None
    content: bytes

    def recipient_matches(self, email_address: str) -> bool:
        if self.recipient_sha256 is None:
            return True
        return hmac.compare_digest(self.recipient_sha256, recipient_hash(email_address))


def recipient_hash(email_address: str) -> str:
    return hashlib.sha256(email_address.strip().lower().encode()).hexdigest()


def seal_document(key: bytes, document: Document, *, service_id: uuid.UUID, document_id: uuid.UUID,
                  expires_at: datetime) -> bytes:
    header = json.dumps({"filename": document.filename, "mimetype": document.mimetype,
                         "recipient_sha256": document.recipient_sha256}).encode()
    plaintext = struct.pack(">I", len(header)) + header + document.content
    return sealing.seal(key, plaintext, sealing.associated_data(service_id, document_id, expires_at))


def unseal_document(key: bytes, blob: bytes, *, service_id: uuid.UUID, document_id: uuid.UUID,
                    expires_at: datetime) -> Document:
    """Raises sealing.WrongKey when the key does not open this document."""
    plaintext = sealing.unseal(key, blob, sealing.associated_data(service_id, document_id, expires_at))
    (length,) = struct.unpack(">I", plaintext[:4])
    header = json.loads(plaintext[4:4 + length])
    return Document(filename=header["filename"], mimetype=header["mimetype"],
                    recipient_sha256=header["recipient_sha256"], content=plaintext[4 + length:])
