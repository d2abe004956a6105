"""Admin authentication: an HS256 token from the admin client, never a service's API key."""
from __future__ import annotations

import time

import jwt
import pytest
import requests

from notify_api.admin.auth import authenticate_admin
from notify_api.admin.config import AdminSettings
from notify_shared.errors import AuthError


def auth_error(response: requests.Response) -> tuple[int, str]:
    body = response.json()
    assert body["status_code"] == response.status_code
    assert [e["error"] for e in body["errors"]] == ["AuthError"]
    return response.status_code, body["errors"][0]["message"]


def test_a_request_without_a_token_is_refused_with_401(admin_api):
    response = requests.get(f"{admin_api.url}/admin/services", timeout=5)

    assert auth_error(response) == (401, "Unauthorized: authentication token must be provided")


def test_a_service_api_key_cannot_call_the_admin_api(admin, sample_service, tokens):
    response = admin.get("/services", token=tokens.token(sample_service.api_key))

    assert auth_error(response) == (401, "Unauthorized: admin authentication token required")


def test_a_token_signed_with_another_secret_is_refused_with_403(admin, admin_token):
    response = admin.get("/services", token=admin_token(secret="not-the-admin-secret-but-long-enough-123"))

    assert auth_error(response) == (403, "Invalid token: signature, api token is not valid")


@pytest.mark.parametrize("offset", [-45, 45])
def test_a_token_issued_more_than_30_seconds_away_from_now_is_refused(admin, admin_token, offset):
    response = admin.get("/services", token=admin_token(iat=time.time() + offset))

    assert auth_error(response) == (403, "Error: Your system clock must be accurate to within 30 seconds")


def test_an_unsigned_token_is_refused(admin):
    unsigned = jwt.encode({"iss": "notify-admin", "iat": int(time.time())}, None, algorithm="none")

    response = admin.get("/services", token=unsigned)

    assert auth_error(response) == (403, "Invalid token: signature, api token is not valid")


def test_a_valid_admin_token_is_accepted(admin):
    response = admin.get("/services")

    assert response.status_code == 200
    assert isinstance(response.json()["data"], list)


def test_the_admin_api_can_be_switched_off_and_then_does_not_exist(start_api, admin_token):
    origin = start_api(ADMIN_API_ENABLED="false", ADMIN_CLIENT_SECRET="x" * 40)

    response = requests.get(f"{origin}/admin/services",
                            headers={"Authorization": f"Bearer {admin_token(secret='x' * 40)}"}, timeout=5)

    assert response.status_code == 404
    assert response.json()["errors"][0]["error"] == "NotFound"


# The verification itself, without a server.

def settings(*secrets: str) -> AdminSettings:
    return AdminSettings(client_secrets=secrets)


def test_any_of_several_configured_secrets_verifies_a_token_so_secrets_can_be_rotated(admin_token):
    old, new = "o" * 32, "n" * 32

    assert authenticate_admin(f"Bearer {admin_token(secret=new)}", settings(old, new)) == "notify-admin"
    assert authenticate_admin(f"Bearer {admin_token(secret=old)}", settings(old, new)) == "notify-admin"


def test_without_a_configured_secret_every_token_is_refused(admin_token):
    with pytest.raises(AuthError) as refused:
        authenticate_admin(f"Bearer {admin_token()}", settings())

    assert (refused.value.status_code, refused.value.message) == (
        403, "Invalid token: the admin API has no ADMIN_CLIENT_SECRET configured")


def test_a_token_without_iss_is_refused(admin_secret):
    token = jwt.encode({"iat": int(time.time())}, admin_secret, algorithm="HS256")

    with pytest.raises(AuthError) as refused:
        authenticate_admin(f"Bearer {token}", settings(admin_secret))

    assert refused.value.message == "Invalid token: iss field not provided"


def test_a_short_admin_secret_stops_the_api_from_starting():
    with pytest.raises(ValueError, match="at least 32 characters"):
        AdminSettings(client_secrets=("too-short",)).validate()


def test_admin_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ADMIN_CLIENT_SECRET", f"{'a' * 32}, {'b' * 32}")
    monkeypatch.setenv("ADMIN_CLIENT_ID", "ops-console")
    monkeypatch.setenv("ADMIN_API_ENABLED", "false")
    monkeypatch.setenv("ALLOW_HTTP_CALLBACKS", "true")

    loaded = AdminSettings.from_env()

    assert loaded == AdminSettings(enabled=False, client_id="ops-console", client_secrets=("a" * 32, "b" * 32),
                                   allow_http_callbacks=True)
    assert "a" * 32 not in str(loaded.redacted())
