import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from notify_devstack.infra import free_port
from notify_shared import queues
from notify_shared.callback_messages import NotificationSnapshot, delivery_status_envelope
from notify_shared.receiver_models import CallbackDeadLetter
from notify_status_receiver.callbacks import CallbackSender

TOKEN = "service-bearer-token-0123456789"


@pytest.fixture
def sender(db, bus, secret_box, receiver_config) -> CallbackSender:
    return CallbackSender(db, bus, secret_box, replace(receiver_config, callback_retry_delay_seconds=0))


@pytest.fixture
def callback(rows, secret_box):
    snapshot = NotificationSnapshot(
        id=uuid.uuid4(), service_id=rows.service_id, status="delivered", to="+447700900123",
        client_reference="their-ref", notification_type="sms", template_id=rows.template_id, template_version=3,
        created_at=datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC), sent_at=datetime(2026, 5, 1, 12, 0, 1, tzinfo=UTC),
        updated_at=datetime(2026, 5, 1, 12, 0, 9, 123456, tzinfo=UTC),
    )
    return delivery_status_envelope(snapshot, secret_box)


def test_a_callback_is_posted_as_json_with_the_services_bearer_token(rows, secret_box, sender, callback,
                                                                     service_endpoint, bus):
    rows.callback_api(service_endpoint.url, TOKEN, secret_box)

    sender(callback)

    [request] = service_endpoint.requests
    assert request.path == "/callbacks/delivery"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == {
        "id": callback.notification_id, "reference": "their-ref", "to": "+447700900123", "status": "delivered",
        "created_at": "2026-05-01T12:00:00.000000Z", "completed_at": "2026-05-01T12:00:09.123456Z",
        "sent_at": "2026-05-01T12:00:01.000000Z", "notification_type": "sms",
        "template_id": str(rows.template_id), "template_version": 3,
    }
    assert bus.published == 0


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_server_error_or_rate_limit_is_retried_later_with_the_next_attempt(rows, secret_box, sender, callback,
                                                                             service_endpoint, read_messages, status):
    rows.callback_api(service_endpoint.url, TOKEN, secret_box)
    service_endpoint.statuses = [status]

    sender(callback)

    [retry] = read_messages(queues.SERVICE_CALLBACKS, 1)
    assert (retry.kind, retry.notification_id, retry.attempt) == (callback.kind, callback.notification_id, 1)


def test_an_unreachable_callback_url_is_retried_later(rows, secret_box, sender, callback, read_messages):
    rows.callback_api(f"http://127.0.0.1:{free_port()}/gone", TOKEN, secret_box)

    sender(callback)

    [retry] = read_messages(queues.SERVICE_CALLBACKS, 1)
    assert retry.attempt == 1


@pytest.mark.parametrize("status", [400, 401, 404])
def test_a_client_error_is_dropped_without_retry(rows, secret_box, sender, callback, service_endpoint, bus, status):
    rows.callback_api(service_endpoint.url, TOKEN, secret_box)
    service_endpoint.statuses = [status]

    sender(callback)

    assert len(service_endpoint.requests) == 1
    assert bus.published == 0


def test_a_callback_that_used_up_its_attempts_is_kept_as_an_encrypted_dead_letter(rows, secret_box, sender, callback,
                                                                                 service_endpoint, bus, db):
    rows.callback_api(service_endpoint.url, TOKEN, secret_box)
    service_endpoint.statuses = [503]

    sender(replace(callback, attempt=sender.config.callback_max_attempts - 1))

    assert len(service_endpoint.requests) == 1
    assert bus.published == 0
    with db.session() as session:
        [dead] = session.query(CallbackDeadLetter).all()
    assert (dead.service_id, dead.callback_type, dead.notification_id) == (
        rows.service_id, "delivery_status", uuid.UUID(callback.notification_id))
    assert (dead.attempts, dead.last_error, dead.replayed_at) == (sender.config.callback_max_attempts, "HTTP 503", None)
    assert "+447700900123" not in dead.payload and callback.message_id not in dead.payload


def test_a_callback_for_a_service_that_removed_its_url_is_dropped(rows, sender, callback, service_endpoint, bus):
    sender(callback)

    assert service_endpoint.requests == []
    assert bus.published == 0


def test_the_bearer_token_never_appears_in_the_logs(rows, secret_box, sender, callback, service_endpoint, capsys):
    rows.callback_api(service_endpoint.url + "?secret=query", TOKEN, secret_box)
    service_endpoint.statuses = [500]

    sender(callback)

    logged = capsys.readouterr()
    assert "callback_retry_scheduled" in logged.out
    assert TOKEN not in logged.out + logged.err
    assert "secret=query" not in logged.out + logged.err
