"""Notify's API key authentication: `Authorization: Bearer <JWT>` signed HS256 with one of the service's keys.

The token carries only `iss` (the service id) and `iat`. The service is found from the unverified `iss`,
then every recognised key of the service is tried until one verifies the signature, as Notify does.
Messages are Notify's, word for word (reference/notify-client-contract.md §3).
"""
from __future__ import annotations

import time
import uuid

import jwt
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


def service_id_from_token(token: str) -> uuid.UUID:
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as exc:
        raise AuthError(GENERAL_TOKEN_ERROR) from exc
    if not isinstance(claims, dict) or claims.get("iss") is None:
        raise AuthError(ISS_MISSING)
    try:
        return uuid.UUID(str(claims["iss"]))
    except ValueError as exc:
        raise AuthError(ISS_NOT_UUID) from exc


def _verify(token: str, secret: str) -> bool:
    """True if `secret` signed the token and its claims are acceptable; False if another key signed it."""
    try:
        claims = jwt.decode(token, key=secret.encode(), algorithms=[ALGORITHM], leeway=CLOCK_SKEW_SECONDS)
    except (jwt.InvalidIssuedAtError, jwt.ImmatureSignatureError) as exc:
        raise AuthError(CLOCK_SKEW) from exc
    except jwt.InvalidAlgorithmError as exc:
        raise AuthError(WRONG_ALGORITHM) from exc
    except jwt.DecodeError:
        return False  # signature made with a different key: try the next one
    except jwt.InvalidTokenError as exc:
        raise AuthError(GENERAL_TOKEN_ERROR) from exc
    if "iss" not in claims or "iat" not in claims:
        raise AuthError(GENERAL_TOKEN_ERROR)
    # PyJWT's leeway only bounds a future `iat`; Notify also rejects tokens issued more than 30 s ago.
    if time.time() > int(claims["iat"]) + CLOCK_SKEW_SECONDS:
        raise AuthError(CLOCK_SKEW)
    return True


def authenticate(header: str | None, credentials: CredentialsCache) -> Caller:
    token = token_from_header(header)
    service_id = service_id_from_token(token)
    service = credentials.get(service_id)
    if service is None:
        raise AuthError(SERVICE_NOT_FOUND)
    if not service.keys:
        raise AuthError(SERVICE_HAS_NO_KEYS)
    if not service.active:
        raise AuthError(SERVICE_ARCHIVED)
    for key in service.keys:
        if not _verify(token, key.secret):
            continue
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
