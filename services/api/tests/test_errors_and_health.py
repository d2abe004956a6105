"""Failure behaviour and probes: broker or database down, limits, unknown routes, request ids, /_status."""
from __future__ import annotations

import time
import uuid

import pytest
import requests
from notifications_python_client.errors import HTTP503Error
from notifications_python_client.notifications import NotificationsAPIClient

from notify_shared import queues
from notify_shared.models import Notification
from notify_testkit.processes import wait_until


def test_a_send_is_still_accepted_when_the_broker_is_unreachable_and_the_row_waits_as_created(
        start_api, sample_service, db, closed_port):
    origin = start_api(BROKER_URL=f"sqs://notify:notify@127.0.0.1:{closed_port}", BUS_PUBLISH_TIMEOUT_SECONDS="1")
    client = NotificationsAPIClient(sample_service.api_key, base_url=origin)

    def timed_send() -> tuple[dict, float]:
        started = time.monotonic()
        response = client.send_sms_notification("07700900456", str(sample_service.sms_template_id),
                                                {"name": "Ada", "code": "1"})
        return response, time.monotonic() - started

    first, first_took = timed_send()
    second, second_took = timed_send()

    assert first_took < 5
    # After one failure the API stops trying the bus for a while, so later sends are not slowed down.
    assert second_took < 1
    with db.session() as session:
        for response in (first, second):
            assert session.get(Notification, uuid.UUID(response["id"])).status == "created"
    # Readiness reports the broker once the short grace period has passed.
    def unready_body() -> dict | None:
        response = requests.get(f"{origin}/_status/ready", timeout=5)
        return response.json() if response.status_code == 503 else None

    unready = wait_until(unready_body, timeout=10, message="readiness to report the broker")
    assert set(unready["reasons"]) == {"bus"}
    assert requests.get(f"{origin}/_status/live", timeout=5).status_code == 200


def test_an_unreachable_database_is_a_fast_503_in_notify_shape_and_liveness_stays_up(
        start_api, sample_service, closed_port):
    origin = start_api(DATABASE_URL=f"postgresql://postgres@127.0.0.1:{closed_port}/notify",
                       DB_POOL_TIMEOUT_SECONDS="1", DB_CONNECT_TIMEOUT_SECONDS="1")
    client = NotificationsAPIClient(sample_service.api_key, base_url=origin)

    started = time.monotonic()
    with pytest.raises(HTTP503Error) as excinfo:
        client.send_sms_notification("07700900456", str(sample_service.sms_template_id), {"name": "A", "code": "1"})

    assert time.monotonic() - started < 5
    assert excinfo.value.message == [{"error": "ServiceUnavailableError",
                                      "message": "Service temporarily unavailable, try again later"}]
    assert excinfo.value.response.headers["Retry-After"] == "1"
    assert requests.get(f"{origin}/_status/live", timeout=5).json() == {"status": "ok"}
    assert requests.get(f"{origin}/_status?simple=true", timeout=5).json() == {"status": "ok"}
    status = requests.get(f"{origin}/_status", timeout=5)
    assert (status.status_code, status.json()["status"]) == (503, "error")


def test_status_answers_in_notify_shape_with_the_schema_version(shared_api, db):
    body = requests.get(f"{shared_api}/_status", timeout=5).json()

    assert body["status"] == "ok"
    assert body["db_version"] == db.alembic_version()
    assert {"build", "git_commit"} <= set(body)
    assert requests.get(f"{shared_api}/_status?simple=true", timeout=5).json() == {"status": "ok"}

    def all_checks_ok() -> bool:
        ready = requests.get(f"{shared_api}/_status/ready", timeout=5)
        return ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "bus": "ok"}

    # The very first bus check can miss its budget while the SQS client warms up.
    wait_until(all_checks_ok, timeout=10, message="database and bus checks to pass")


def test_a_request_id_is_echoed_and_travels_with_the_message(api, sample_service, tokens, read_queue):
    body = {"phone_number": "07700900456", "template_id": str(sample_service.sms_template_id),
            "personalisation": {"name": "Ada", "code": "1"}}

    response = requests.post(f"{api}/v2/notifications/sms", json=body, timeout=10,
                             headers={**tokens.bearer(sample_service.api_key), "X-Request-Id": "req-abc-123"})
    generated = requests.get(f"{api}/v2/notifications", headers=tokens.bearer(sample_service.api_key), timeout=10)

    assert (response.status_code, response.headers["X-Request-Id"]) == (201, "req-abc-123")
    uuid.UUID(generated.headers["X-Request-Id"])
    [envelope] = read_queue(queues.SEND_SMS)
    assert (envelope.notification_id, envelope.request_id) == (response.json()["id"], "req-abc-123")


def test_a_body_over_the_size_limit_is_413_in_notify_shape(start_api, sample_service, tokens):
    origin = start_api(API_MAX_CONTENT_LENGTH="4096")
    headers = tokens.bearer(sample_service.api_key)
    body = {"phone_number": "07700900456", "template_id": str(sample_service.sms_template_id),
            "personalisation": {"name": "A", "code": "1"}}

    too_big = requests.post(f"{origin}/v2/notifications/sms", timeout=10, headers=headers,
                            json={**body, "personalisation": {"name": "x" * 5000, "code": "1"}})
    fits = requests.post(f"{origin}/v2/notifications/sms", timeout=10, headers=headers, json=body)

    assert too_big.status_code == 413
    assert too_big.json() == {"status_code": 413, "errors": [{
        "error": "RequestEntityTooLarge", "message": "Request body is larger than the limit of 4096 bytes"}]}
    assert fits.status_code == 201


def test_unknown_routes_and_wrong_methods_answer_in_the_envelope(shared_api, sample_service, tokens):
    not_found = requests.get(f"{shared_api}/no/such/thing", timeout=5)
    wrong_method = requests.delete(f"{shared_api}/v2/notifications/sms", timeout=5,
                                   headers=tokens.bearer(sample_service.api_key))

    assert not_found.status_code == 404
    assert not_found.json() == {"status_code": 404, "errors": [
        {"error": "NotFound", "message": "The requested URL was not found on the server"}]}
    assert wrong_method.status_code == 405
    assert wrong_method.json()["errors"][0]["error"] == "MethodNotAllowed"
    assert "POST" in wrong_method.headers["Allow"]


def test_an_unexpected_exception_is_a_500_without_a_stack_trace(app):
    def explode():
        raise RuntimeError("secret detail that must not leak")

    app.add_url_rule("/explode", view_func=explode)

    response = app.test_client().get("/explode")

    assert response.status_code == 500
    assert response.get_json() == {"status_code": 500, "errors": [
        {"error": "Exception", "message": "Internal server error"}]}
    assert b"secret detail" not in response.data
