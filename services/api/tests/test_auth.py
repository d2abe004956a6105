"""API key authentication: every AuthError Notify gives, with its status and exact message."""
from __future__ import annotations

import time
import uuid
from datetime import timedelta

import jwt
import pytest
import requests
from notifications_python_client.errors import HTTPError
from sqlalchemy import update

from notify_shared import provisioning
from notify_shared.models import ApiKey, Service, utcnow
from notify_testkit.fixtures import make_service

GENERAL = ("Invalid token: make sure your API token matches the example at "
           "https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header")
CLOCK = "Error: Your system clock must be accurate to within 30 seconds"


def auth_error(status: int, message: str) -> dict:
    return {"status_code": status, "errors": [{"error": "AuthError", "message": message}]}


def list_with(origin: str, headers: dict) -> requests.Response:
    return requests.get(f"{origin}/v2/notifications", headers=headers, timeout=10)


def official_client_error(notify_client, api_key: str) -> tuple[int, list]:
    with pytest.raises(HTTPError) as excinfo:
        notify_client(api_key).get_all_notifications()
    return excinfo.value.status_code, excinfo.value.message


def test_a_missing_authorization_header_is_401(shared_api):
    response = list_with(shared_api, {})

    assert response.status_code == 401
    assert response.json() == auth_error(401, "Unauthorized: authentication token must be provided")


def test_a_scheme_other_than_bearer_is_401(shared_api, sample_service, tokens):
    response = list_with(shared_api, {"Authorization": f"Basic {tokens.token(sample_service.api_key)}"})

    assert response.status_code == 401
    assert response.json() == auth_error(401, "Unauthorized: authentication bearer scheme must be used")


def test_the_bearer_scheme_is_case_insensitive(shared_api, sample_service, tokens):
    response = list_with(shared_api, {"Authorization": f"bearer {tokens.token(sample_service.api_key)}"})

    assert response.status_code == 200


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("token_kind, message", [
    ("garbage", GENERAL),
    ("no iss", "Invalid token: iss field not provided"),
    ("iss not a uuid", "Invalid token: service id is not the right data type"),
    ("hs384", "Invalid token: algorithm used is not HS256"),
])
def test_malformed_tokens_are_403_with_notify_messages(shared_api, sample_service, tokens, token_kind, message):
    key = sample_service.api_key
    _, secret = tokens.key_parts(key)
    make_token = {
        "garbage": lambda: "not-a-jwt",
        "no iss": lambda: jwt.encode({"iat": int(time.time())}, secret.encode(), algorithm="HS256"),
        "iss not a uuid": lambda: tokens.token(key, iss="my-service"),
        "hs384": lambda: tokens.token(key, algorithm="HS384"),
    }[token_kind]
    token = make_token()

    response = list_with(shared_api, {"Authorization": f"Bearer {token}"})

    assert (response.status_code, response.json()) == (403, auth_error(403, message))


def test_an_unknown_service_is_403_service_not_found(notify_client):
    status, errors = official_client_error(notify_client, f"key-{uuid.uuid4()}-{uuid.uuid4()}")

    assert (status, errors) == (403, auth_error(403, "Invalid token: service not found")["errors"])


def test_a_secret_that_matches_no_key_is_403_api_key_not_found(notify_client, sample_service, tokens):
    service_id, _ = tokens.key_parts(sample_service.api_key)

    status, errors = official_client_error(notify_client, f"key-{service_id}-{uuid.uuid4()}")

    assert (status, errors) == (403, auth_error(403, "Invalid token: API key not found")["errors"])


def test_a_revoked_key_is_403_api_key_revoked_while_the_other_keys_still_work(notify_client, db, secret_box):
    service = make_service(db, secret_box)
    with db.session() as session:
        session.execute(update(ApiKey).where(ApiKey.service_id == service.id, ApiKey.key_type == "normal")
                        .values(expiry_date=utcnow()))

    status, errors = official_client_error(notify_client, service.api_key)

    assert (status, errors) == (403, auth_error(403, "Invalid token: API key revoked")["errors"])
    assert notify_client(service.test_api_key).get_all_notifications()["notifications"] == []


def test_a_key_revoked_more_than_seven_days_ago_is_no_longer_recognised(notify_client, db, secret_box):
    service = make_service(db, secret_box)
    with db.session() as session:
        session.execute(update(ApiKey).where(ApiKey.service_id == service.id, ApiKey.key_type == "normal")
                        .values(expiry_date=utcnow() - timedelta(days=8)))

    status, errors = official_client_error(notify_client, service.api_key)

    assert (status, errors) == (403, auth_error(403, "Invalid token: API key not found")["errors"])


@pytest.mark.parametrize("skew", [-31, 31])
def test_a_token_issued_more_than_30_seconds_away_from_our_clock_is_403(shared_api, sample_service, tokens, skew):
    response = list_with(shared_api, tokens.bearer(sample_service.api_key, iat=time.time() + skew))

    assert (response.status_code, response.json()) == (403, auth_error(403, CLOCK))


@pytest.mark.parametrize("skew", [-25, 25])
def test_a_token_within_30_seconds_is_accepted(shared_api, sample_service, tokens, skew):
    response = list_with(shared_api, tokens.bearer(sample_service.api_key, iat=time.time() + skew))

    assert response.status_code == 200


def test_a_service_without_keys_is_403(notify_client, db):
    with db.session() as session:
        service = provisioning.create_service(session, name=f"keyless {uuid.uuid4().hex[:8]}")

    status, errors = official_client_error(notify_client, f"key-{service.id}-{uuid.uuid4()}")

    assert (status, errors) == (403, auth_error(403, "Invalid token: service has no API keys")["errors"])


def test_an_archived_service_is_403(notify_client, db, secret_box):
    service = make_service(db, secret_box)
    with db.session() as session:
        session.execute(update(Service).where(Service.id == service.id).values(active=False))

    status, errors = official_client_error(notify_client, service.api_key)

    assert (status, errors) == (403, auth_error(403, "Invalid token: service is archived")["errors"])


def test_health_probes_need_no_key_and_unknown_routes_are_404_before_auth(shared_api):
    assert requests.get(f"{shared_api}/_status/live", timeout=5).json() == {"status": "ok"}
    response = requests.get(f"{shared_api}/v3/anything", timeout=5)

    assert response.status_code == 404
    assert response.json()["errors"][0]["error"] == "NotFound"
