"""Admin authentication, separate from service API keys.

`Authorization: Bearer <JWT>` signed HS256 with ADMIN_CLIENT_SECRET, `iss` = ADMIN_CLIENT_ID and `iat`
within 30 s of our clock: the scheme GOV.UK Notify's own admin app uses against its API
(app/authentication/auth.py `requires_admin_auth`), with its messages. The secret never travels, a
captured token is useless after a minute, and a service's key can never pass: its `iss` is a service id.
"""
from __future__ import annotations

import time

import jwt

from notify_shared.errors import AuthError

from ..auth import CLOCK_SKEW, CLOCK_SKEW_SECONDS, ISS_MISSING, token_from_header
from .config import AdminSettings

ALGORITHM = "HS256"

ADMIN_TOKEN_REQUIRED = "Unauthorized: admin authentication token required"
INVALID_SIGNATURE = "Invalid token: signature, api token is not valid"
NOT_CONFIGURED = "Invalid token: the admin API has no ADMIN_CLIENT_SECRET configured"


def authenticate_admin(header: str | None, settings: AdminSettings) -> str:
    """The admin client id if the header carries a valid admin token, else AuthError (401 or 403)."""
    token = token_from_header(header)
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as exc:
        raise AuthError(INVALID_SIGNATURE) from exc
    if not isinstance(unverified, dict) or unverified.get("iss") is None:
        raise AuthError(ISS_MISSING)
    if unverified["iss"] != settings.client_id:
        # A service's API key (iss = its service id) lands here.
        raise AuthError(ADMIN_TOKEN_REQUIRED, 401)
    if not settings.client_secrets:
        # Never fall back to an empty or default secret: anyone could sign with it.
        raise AuthError(NOT_CONFIGURED)
    for secret in settings.client_secrets:
        if _verify(token, secret):
            return settings.client_id
    raise AuthError(INVALID_SIGNATURE)


def _verify(token: str, secret: str) -> bool:
    try:
        # Only HS256: tokens claiming `none` or another algorithm fail here. PyJWT compares the signature in
        # constant time.
        claims = jwt.decode(token, key=secret.encode(), algorithms=[ALGORITHM], leeway=CLOCK_SKEW_SECONDS,
                            options={"require": ["iss", "iat"]})
    except (jwt.InvalidIssuedAtError, jwt.ImmatureSignatureError) as exc:
        raise AuthError(CLOCK_SKEW) from exc
    except jwt.InvalidSignatureError:
        return False  # signed with another secret: try the next one (rotation)
    except jwt.InvalidTokenError as exc:
        raise AuthError(INVALID_SIGNATURE) from exc
    # PyJWT's leeway only bounds a future `iat`; a token issued more than 30 s ago is refused too.
    if time.time() > int(claims["iat"]) + CLOCK_SKEW_SECONDS:
        raise AuthError(CLOCK_SKEW)
    return True
