"""Amazon SNS HTTP(S) message authentication: signing-certificate checks and signature verification.

What AWS documents ("Verifying the signatures of Amazon SNS messages"): the signed string is
`Name\\nValue\\n` for a fixed list of fields in byte order; SignatureVersion 1 is RSA with SHA1,
version 2 RSA with SHA256; the certificate must come over HTTPS from an SNS host.
"""
from __future__ import annotations

import base64
import binascii
import re
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")

# sns.<region>.amazonaws.com, or .amazonaws.com.cn in the China partitions.
SIGNING_CERT_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
_HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}
MAX_CERT_BYTES = 64 * 1024


class SnsVerificationError(ValueError):
    """The message is not provably from SNS; the webhook answers 403."""


class CertificateSource(Protocol):
    def certificate(self, url: str) -> x509.Certificate: ...


def string_to_sign(message: Mapping[str, Any]) -> bytes:
    message_type = message.get("Type")
    if message_type == "Notification":
        names = NOTIFICATION_FIELDS
    elif message_type in {"SubscriptionConfirmation", "UnsubscribeConfirmation"}:
        names = CONFIRMATION_FIELDS
    else:
        raise SnsVerificationError(f"unknown SNS message type {message_type!r}")
    parts: list[str] = []
    for name in names:
        value = message.get(name)
        if value is None:
            if name == "Subject":  # the only optional field
                continue
            raise SnsVerificationError(f"SNS message has no {name}")
        parts.append(f"{name}\n{value}\n")
    return "".join(parts).encode()


def check_signing_cert_url(url: object) -> str:
    if not isinstance(url, str):
        raise SnsVerificationError("SNS message has no SigningCertURL")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or not SIGNING_CERT_HOST.match(parts.hostname):
        raise SnsVerificationError("SigningCertURL is not an https URL on an SNS host")
    if parts.port not in (None, 443) or parts.username or parts.password:
        raise SnsVerificationError("SigningCertURL is not an https URL on an SNS host")
    return url


def verify_signature(message: Mapping[str, Any], certificate: x509.Certificate, *,
                     now: datetime | None = None) -> None:
    """Raise SnsVerificationError unless `message` carries a valid signature by `certificate`."""
    algorithm = _HASHES.get(str(message.get("SignatureVersion")))
    if algorithm is None:
        raise SnsVerificationError(f"unsupported SignatureVersion {message.get('SignatureVersion')!r}")
    raw_signature = message.get("Signature")
    if not isinstance(raw_signature, str) or not raw_signature:
        raise SnsVerificationError("SNS message is not signed")
    try:
        signature = base64.b64decode(raw_signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SnsVerificationError("SNS signature is not base64") from exc
    moment = now or datetime.now(UTC)
    if not certificate.not_valid_before_utc <= moment <= certificate.not_valid_after_utc:
        raise SnsVerificationError("SNS signing certificate is not valid now")
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SnsVerificationError("SNS signing certificate does not hold an RSA key")
    try:
        public_key.verify(signature, string_to_sign(message), padding.PKCS1v15(), algorithm())
    except InvalidSignature as exc:
        raise SnsVerificationError("SNS signature does not match") from exc


class HttpCertificateSource:
    """Fetches SNS signing certificates over HTTPS and keeps them: SNS rotates them rarely."""

    def __init__(self, timeout_seconds: float, max_cached: int = 16):
        self.timeout_seconds = timeout_seconds
        self.max_cached = max_cached
        self._cache: dict[str, x509.Certificate] = {}
        self._lock = threading.Lock()

    def certificate(self, url: str) -> x509.Certificate:
        with self._lock:
            cached = self._cache.get(url)
        if cached is not None:
            return cached
        try:
            response = requests.get(url, timeout=self.timeout_seconds, allow_redirects=False)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise SnsVerificationError(f"cannot fetch SNS signing certificate: {type(exc).__name__}") from exc
        if len(response.content) > MAX_CERT_BYTES:
            raise SnsVerificationError("SNS signing certificate is too large")
        try:
            cert = x509.load_pem_x509_certificate(response.content)
        except ValueError as exc:
            raise SnsVerificationError("SNS signing certificate is not a PEM certificate") from exc
        with self._lock:
            if len(self._cache) >= self.max_cached:
                self._cache.clear()
            self._cache[url] = cert
        return cert


class SnsVerifier:
    def __init__(self, certificates: CertificateSource):
        self.certificates = certificates

    def verify(self, message: Mapping[str, Any]) -> None:
        url = check_signing_cert_url(message.get("SigningCertURL") or message.get("SigningCertUrl"))
        verify_signature(message, self.certificates.certificate(url))
