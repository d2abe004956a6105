"""GET /v2/received-text-messages through the official client: shape, decryption, cursor pagination."""
from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from notify_testkit.fixtures import make_service

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


def test_a_received_text_reads_back_decrypted_with_exactly_notifys_fields(
        shared_api, notify_client, sample_service, add_received_text):
    received_at = datetime(2026, 11, 27, 9, 30, 0, 250000, tzinfo=UTC)
    text_id = add_received_text(sample_service.id, "Yes please, Tuesday", created_at=received_at,
                                user_number="447700900321", notify_number="07700900999")

    page = notify_client(sample_service.api_key).get_received_texts()

    assert page == {
        "received_text_messages": [{
            "id": str(text_id), "created_at": "2026-11-27T09:30:00.250000Z", "service_id": str(sample_service.id),
            "notify_number": "07700900999", "user_number": "447700900321", "content": "Yes please, Tuesday",
        }],
        "links": {"current": f"{shared_api}/v2/received-text-messages",
                  "next": f"{shared_api}/v2/received-text-messages?older_than={text_id}"},
    }


def test_the_iterator_walks_every_page_newest_first(small_page_api, sample_service, add_received_text):
    origin = small_page_api
    base = datetime.now(UTC) - timedelta(minutes=5)
    # Two texts share a timestamp: the id breaks the tie, so neither is skipped or repeated.
    created = [base + timedelta(seconds=s) for s in (1, 2, 2, 3, 4)]
    ids = [add_received_text(sample_service.id, f"text {n}", created_at=at) for n, at in enumerate(created)]
    client = NotificationsAPIClient(sample_service.test_api_key, base_url=origin)

    walked = [t["id"] for t in client.get_received_texts_iterator()]

    newest_first = [str(i) for _, i in sorted(zip(created, ids, strict=True), reverse=True)]
    assert walked == newest_first
    second_page = client.get_received_texts(older_than=newest_first[1])
    assert [t["id"] for t in second_page["received_text_messages"]] == newest_first[2:4]
    assert second_page["links"] == {"current": f"{origin}/v2/received-text-messages",
                                    "next": f"{origin}/v2/received-text-messages?older_than={newest_first[3]}"}
    assert client.get_received_texts(older_than=newest_first[-1]) == {
        "received_text_messages": [], "links": {"current": f"{origin}/v2/received-text-messages"}}


def test_an_unknown_cursor_gives_an_empty_page_and_a_malformed_one_a_validation_error(
        notify_client, sample_service, add_received_text):
    add_received_text(sample_service.id)
    client = notify_client(sample_service.api_key)

    empty = client.get_received_texts(older_than=str(uuid.uuid4()))
    with pytest.raises(HTTPError) as excinfo:
        client.get_received_texts(older_than="yesterday")

    assert empty["received_text_messages"] == []
    assert (excinfo.value.status_code, excinfo.value.message) == (
        400, [{"error": "ValidationError", "message": "older_than is not a valid UUID"}])


def test_a_service_never_sees_another_services_received_texts(notify_client, sample_service, db, secret_box,
                                                               add_received_text):
    other = make_service(db, secret_box)
    theirs = add_received_text(other.id, "for the other service")
    ours = add_received_text(sample_service.id, "for us")
    client = notify_client(sample_service.api_key)

    listed = [t["id"] for t in client.get_received_texts()["received_text_messages"]]
    # Their text as a cursor is as unknown to us as a made-up id.
    after_theirs = client.get_received_texts(older_than=str(theirs))["received_text_messages"]

    assert listed == [str(ours)]
    assert after_theirs == []
