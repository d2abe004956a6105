"""Notify's API key authentication: `Authorization: Bearer <JWT>` signed HS256 with one of the service's keys.

The token carries only `iss` (the service id) and `iat`. The service is found from the unverified `iss`,
then every recognised key of the service is tried until one verifies the signature, as Notify does. The
HS256 check and the claim checks are done here rather than by PyJWT (which Notify uses), with the same
outcomes: see `_signed_with` for why.
Messages are Notify's, word for word (reference/notify-client-contract.md §3).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass

from flask import g, request

from notify_shared.errors import AuthError
from notify_shared.logging import bind

from .api_keys import Caller, CredentialsCache
from .context import api_context

ALGORITHM = "HS256"
# Notify's clock window: `iat` may be at most 30 s in the past or in the future.
CLOCK_SKEW_SECONDS = 30

TOKEN_MISSING = "Unauthorized: authentication token must be provided"
BEARER_REQUIRED = "Unauthorized: authentication bearer scheme must be used"
GENERAL_TOKEN_ERROR = (
    "Invalid token: make sure your API token matches the example at "
    "https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header"
)
ISS_MISSING = "Invalid token: iss field not provided"
ISS_NOT_UUID = "Invalid token: service id is not the right data type"
SERVICE_NOT_FOUND = "Invalid token: service not found"
SERVICE_HAS_NO_KEYS = "Invalid token: service has no API keys"
SERVICE_ARCHIVED = "Invalid token: service is archived"
WRONG_ALGORITHM = "Invalid token: algorithm used is not HS256"
KEY_REVOKED = "Invalid token: API key revoked"
KEY_NOT_FOUND = "Invalid token: API key not found"
CLOCK_SKEW = "Error: Your system clock must be accurate to within 30 seconds"


def token_from_header(header: str | None) -> str:
    if not header:
        raise AuthError(TOKEN_MISSING, 401)
    # Notify title-cases the first seven characters, so "bearer " and "BEARER " are accepted.
    if header[:7].title() != "Bearer ":
        raise AuthError(BEARER_REQUIRED, 401)
    return header[7:].strip()


@dataclass(frozen=True)
class _Token:
    header: dict
    claims: dict
    signing_input: bytes
    signature: bytes


def _decoded(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _json_object(segment: str) -> dict:
    decoded = json.loads(_decoded(segment))
    if not isinstance(decoded, dict):
        raise ValueError("not a JSON object")
    return decoded


def parse_token(token: str) -> _Token:
    """The token's parts, unverified; Notify's general error for anything that is not a JWS."""
    try:
        header, payload, signature = token.split(".")
        return _Token(_json_object(header), _json_object(payload), f"{header}.{payload}".encode(), _decoded(signature))
    except (ValueError, binascii.Error) as exc:  # JSON, UTF-8 and base64 errors are ValueErrors
        raise AuthError(GENERAL_TOKEN_ERROR) from exc


def service_id_from_token(token: _Token) -> uuid.UUID:
    if token.claims.get("iss") is None:
        raise AuthError(ISS_MISSING)
    try:
        return uuid.UUID(str(token.claims["iss"]))
    except ValueError as exc:
        raise AuthError(ISS_NOT_UUID) from exc


def _signed_with(token: _Token, secret: str) -> bool:
    # HS256 by hand, with the token parsed once: PyJWT's decode re-parses the token and re-checks the key
    # format for every key tried, and was the largest part of intake's authentication CPU.
    expected = hmac.new(secret.encode(), token.signing_input, hashlib.sha256).digest()
    return hmac.compare_digest(expected, token.signature)


def _seconds(value: object) -> int | None:
    try:
        return int(value)  # PyJWT's reading of a time claim: 1.5 and "15" pass, "soon" does not
    except (ValueError, TypeError, OverflowError):
        return None


def _check_claims(claims: dict, now: float) -> None:
    """The registered claims, checked as PyJWT checks them with Notify's 30 s leeway, then Notify's own."""
    iat = _seconds(claims["iat"]) if "iat" in claims else None
    if "iat" in claims and (iat is None or iat > now + CLOCK_SKEW_SECONDS):
        raise AuthError(CLOCK_SKEW)
    if "nbf" in claims:
        nbf = _seconds(claims["nbf"])
        if nbf is None:
            raise AuthError(GENERAL_TOKEN_ERROR)
        if nbf > now + CLOCK_SKEW_SECONDS:
            raise AuthError(CLOCK_SKEW)
    if "exp" in claims:
        exp = _seconds(claims["exp"])
        if exp is None or exp <= now - CLOCK_SKEW_SECONDS:
            raise AuthError(GENERAL_TOKEN_ERROR)
    # No audience is expected, so a token naming one is refused; `sub` and `jti` must be strings.
    if "aud" in claims or any(name in claims and not isinstance(claims[name], str) for name in ("sub", "jti")):
        raise AuthError(GENERAL_TOKEN_ERROR)
    if "iss" not in claims or iat is None:
        raise AuthError(GENERAL_TOKEN_ERROR)
    # Notify also rejects tokens issued more than 30 s ago, not only those from the future.
    if now > iat + CLOCK_SKEW_SECONDS:
        raise AuthError(CLOCK_SKEW)


def authenticate(header: str | None, credentials: CredentialsCache) -> Caller:
    token = parse_token(token_from_header(header))
    service_id = service_id_from_token(token)
    service = credentials.get(service_id)
    if service is None:
        raise AuthError(SERVICE_NOT_FOUND)
    if not service.keys:
        raise AuthError(SERVICE_HAS_NO_KEYS)
    if not service.active:
        raise AuthError(SERVICE_ARCHIVED)
    if token.header.get("alg") != ALGORITHM:
        raise AuthError(WRONG_ALGORITHM)
    for key in service.keys:
        if not _signed_with(token, key.secret):
            continue  # signed with another key: try the next one
        _check_claims(token.claims, time.time())
        if key.revoked:
            raise AuthError(KEY_REVOKED)
        return Caller(service=service, api_key_id=key.id, key_type=key.key_type)
    raise AuthError(KEY_NOT_FOUND)


def require_api_key() -> None:
    """before_request hook for every /v2 route."""
    caller = authenticate(request.headers.get("Authorization"), api_context().credentials)
    g.caller = caller
    bind(service_id=str(caller.service.id), api_key_id=str(caller.api_key_id), key_type=caller.key_type)


def current_caller() -> Caller:
    return g.caller
