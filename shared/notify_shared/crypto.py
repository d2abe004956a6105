"""Encryption of secrets at rest (API key secrets, callback tokens, personalisation, inbound texts)."""
from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


class SecretBox:
    """Fernet (AES-128-CBC + HMAC-SHA256) keyed from SECRET_KEY, so one env var rotates everything."""

    def __init__(self, secret_key: str):
        if not secret_key:
            raise ValueError("SECRET_KEY must be set to encrypt secrets at rest")
        digest = hashlib.sha256(("notify-secret-box:" + secret_key).encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("secret cannot be decrypted with this SECRET_KEY") from exc


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
