"""Per-document encryption: AES-256-GCM under a fresh random key that only the download link carries.

The store never sees the key, so neither a copy of the bucket nor of the directory can be read. The
associated data binds each sealed blob to its service, document id and expiry: a blob moved to another
id, or an expiry edited in the store, no longer opens.
"""
from __future__ import annotations

import base64
import binascii
import os
import uuid
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
# The first byte of a sealed blob: lets a later format change open old documents.
FORMAT_VERSION = b"\x01"


class WrongKey(ValueError):
    """The key does not open this blob (wrong key, or the blob was altered or moved)."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def key_to_text(key: bytes) -> str:
    """URL-safe base64 without padding, as it appears in the link's `key` parameter."""
    return base64.urlsafe_b64encode(key).rstrip(b"=").decode("ascii")


def key_from_text(text: str) -> bytes:
    """The raw key from a link's `key` parameter; ValueError if it is not one."""
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not a document key") from exc
    if len(key) != KEY_BYTES:
        raise ValueError("not a document key")
    return key


def associated_data(service_id: uuid.UUID, document_id: uuid.UUID, expires_at: datetime) -> bytes:
    return f"notify-document:{service_id}:{document_id}:{expires_at.isoformat()}".encode()


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < 1 + NONCE_BYTES or blob[:1] != FORMAT_VERSION:
        raise WrongKey("not a sealed document")
    nonce = blob[1:1 + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[1 + NONCE_BYTES:], aad)
    except InvalidTag as exc:
        raise WrongKey("the key does not open this document") from exc
