"""The hand-made HS256 check against tokens PyJWT makes: same acceptances, Notify's messages for refusals."""
from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from notify_api import auth
from notify_api.api_keys import CallerKey, ServiceCredentials
from notify_shared.errors import AuthError

SERVICE_ID = uuid.uuid4()
SECRET = str(uuid.uuid4())
OTHER_SECRET = str(uuid.uuid4())


class Credentials:
    def __init__(self, *secrets: str, revoked: bool = False):
        expiry = datetime.now(UTC) - timedelta(days=1) if revoked else None
        self.service = ServiceCredentials(
            id=SERVICE_ID, name="Tokens", active=True, restricted=False, permissions=frozenset(),
            email_sender_local_part="tokens", prefix_sms=False, default_sms_sender=None, default_reply_to=None,
            keys=tuple(CallerKey(id=uuid.uuid4(), secret=secret, key_type="normal", expiry_date=expiry)
                       for secret in secrets))

    def get(self, service_id: uuid.UUID):
        return self.service if service_id == SERVICE_ID else None


def bearer(claims: dict | None = None, secret: str = SECRET, **headers) -> str:
    claims = {"iss": str(SERVICE_ID), "iat": int(time.time())} if claims is None else claims
    return "Bearer " + jwt.encode(claims, secret, algorithm=headers.pop("algorithm", "HS256"), headers=headers or None)


def refusal(header: str, credentials: Credentials | None = None) -> str:
    with pytest.raises(AuthError) as excinfo:
        auth.authenticate(header, credentials or Credentials(SECRET))
    return excinfo.value.message


def test_a_token_signed_with_any_of_the_keys_is_accepted():
    caller = auth.authenticate(bearer(secret=SECRET), Credentials(OTHER_SECRET, SECRET))

    assert caller.service.id == SERVICE_ID


def test_a_float_iat_is_read_as_pyjwt_reads_it():
    assert auth.authenticate(bearer({"iss": str(SERVICE_ID), "iat": time.time()}), Credentials(SECRET))


@pytest.mark.parametrize("token, message", [
    ("a.b", auth.GENERAL_TOKEN_ERROR),
    ("e30.e30.a", auth.GENERAL_TOKEN_ERROR),  # {} . {} . a signature that cannot be base64url
    ("W10.e30.c2ln", auth.GENERAL_TOKEN_ERROR),  # the header is a JSON list
])
def test_tokens_that_are_not_a_jws_get_the_general_error(token, message):
    assert refusal(f"Bearer {token}") == message


def test_a_signature_made_with_another_secret_is_key_not_found():
    assert refusal(bearer(secret=OTHER_SECRET)) == auth.KEY_NOT_FOUND


def test_a_tampered_payload_no_longer_matches_its_signature():
    header, _payload, signature = bearer()[7:].split(".")
    forged = jwt.encode({"iss": str(SERVICE_ID), "iat": int(time.time()) + 1}, "x" * 32).split(".")[1]

    assert refusal(f"Bearer {header}.{forged}.{signature}") == auth.KEY_NOT_FOUND


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_only_hs256_is_accepted():
    assert refusal(bearer(algorithm="HS512")) == auth.WRONG_ALGORITHM
    unsigned = jwt.encode({"iss": str(SERVICE_ID), "iat": int(time.time())}, None, algorithm="none")
    assert refusal(f"Bearer {unsigned}") == auth.WRONG_ALGORITHM


# Times as offsets from the moment the test runs (parameters are built at collection, maybe minutes before).
@pytest.mark.parametrize("extra, message", [
    ({"iat": -31}, auth.CLOCK_SKEW),
    ({"iat": 60}, auth.CLOCK_SKEW),
    ({"iat": "soon"}, auth.CLOCK_SKEW),
    ({"nbf": 60}, auth.CLOCK_SKEW),
    ({"exp": -60}, auth.GENERAL_TOKEN_ERROR),
    ({"aud": "someone"}, auth.GENERAL_TOKEN_ERROR),
    ({"sub": 7}, auth.GENERAL_TOKEN_ERROR),
])
def test_registered_claims_are_checked_after_the_signature(extra, message):
    now = int(time.time())
    timed = {name: now + value if name in ("iat", "nbf", "exp") and isinstance(value, int) else value
             for name, value in extra.items()}
    claims = {"iss": str(SERVICE_ID), "iat": now, **timed}

    assert refusal(bearer(claims)) == message


def test_a_token_without_iat_gets_the_general_error():
    assert refusal(bearer({"iss": str(SERVICE_ID)})) == auth.GENERAL_TOKEN_ERROR


def test_a_revoked_key_is_reported_once_its_signature_matches():
    assert refusal(bearer(), Credentials(SECRET, revoked=True)) == auth.KEY_REVOKED
