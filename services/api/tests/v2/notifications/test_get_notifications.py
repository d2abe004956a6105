"""GET /v2/notifications/{id} and the paginated list, through the official client against the real API."""
from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from notify_testkit.fixtures import make_service

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")

GET_FIELDS = {
    "id", "reference", "email_address", "phone_number", "line_1", "line_2", "line_3", "line_4", "line_5", "line_6",
    "postcode", "type", "status", "template", "body", "subject", "created_at", "created_by_name", "sent_at",
    "completed_at", "scheduled_for", "postage", "one_click_unsubscribe_url", "cost_details", "cost_in_pounds",
    "is_cost_data_ready",
}


def test_a_sent_text_reads_back_with_every_notify_field(shared_api, notify_client, sample_service):
    client = notify_client(sample_service.api_key)
    sent = client.send_sms_notification("07700900456", str(sample_service.sms_template_id),
                                        {"name": "Ada", "code": "yes"}, reference="ref-get")

    fetched = client.get_notification_by_id(sent["id"])

    assert set(fetched) == GET_FIELDS
    assert TIMESTAMP.match(fetched["created_at"])
    tid = sample_service.sms_template_id
    assert {k: v for k, v in fetched.items() if k != "created_at"} == {
        "id": sent["id"], "reference": "ref-get", "email_address": None, "phone_number": "07700900456",
        "line_1": None, "line_2": None, "line_3": None, "line_4": None, "line_5": None, "line_6": None,
        "postcode": None, "type": "sms", "status": "created",
        "template": {"id": str(tid), "version": 1, "uri": f"{shared_api}/v2/template/{tid}/version/1"},
        "body": "Hello Ada, your code is ready.", "subject": None, "created_by_name": None, "sent_at": None,
        "completed_at": None, "scheduled_for": None, "postage": None, "one_click_unsubscribe_url": None,
        "is_cost_data_ready": False, "cost_in_pounds": None, "cost_details": {},
    }


def test_an_email_reads_back_with_subject_and_unsubscribe_link(notify_client, sample_service):
    client = notify_client(sample_service.api_key)
    sent = client.send_email_notification("ada@example.com", str(sample_service.email_template_id), {"name": "Ada"},
                                          one_click_unsubscribe_url="https://example.com/u")

    fetched = client.get_notification_by_id(sent["id"])

    assert (fetched["email_address"], fetched["phone_number"], fetched["type"]) == ("ada@example.com", None, "email")
    assert (fetched["subject"], fetched["body"]) == ("Hello Ada", "Dear Ada,\n\nThis is a test.")
    assert fetched["one_click_unsubscribe_url"] == "https://example.com/u"
    assert (fetched["is_cost_data_ready"], fetched["cost_in_pounds"], fetched["cost_details"]) == (True, 0.0, {})


def test_a_delivered_text_shows_its_times_and_cost(notify_client, sample_service, add_notification):
    sent_at = datetime(2026, 11, 27, 10, 0, 1, 123456, tzinfo=UTC)
    nid = add_notification(sample_service, status="delivered", billable_units=2, sent_at=sent_at,
                           completed_at=sent_at + timedelta(seconds=5))

    fetched = notify_client(sample_service.api_key).get_notification_by_id(str(nid))

    assert fetched["sent_at"] == "2026-11-27T10:00:01.123456Z"
    assert fetched["completed_at"] == "2026-11-27T10:00:06.123456Z"
    assert fetched["is_cost_data_ready"] is True
    assert fetched["cost_details"] == {"billable_sms_fragments": 2, "international_rate_multiplier": 1,
                                       "sms_rate": 0.0227}
    assert fetched["cost_in_pounds"] == pytest.approx(0.0454)


def test_a_malformed_id_is_a_validation_error(notify_client, sample_service):
    with pytest.raises(HTTPError) as excinfo:
        notify_client(sample_service.api_key).get_notification_by_id("not-a-uuid")

    assert (excinfo.value.status_code, excinfo.value.message) == (
        400, [{"error": "ValidationError", "message": "notification_id is not a valid UUID"}])


def test_an_unknown_id_is_not_found(notify_client, sample_service):
    with pytest.raises(HTTPError) as excinfo:
        notify_client(sample_service.api_key).get_notification_by_id(str(uuid.uuid4()))

    assert (excinfo.value.status_code, excinfo.value.message) == (
        404, [{"error": "NoResultFound", "message": "No result found"}])


def test_one_service_cannot_read_another_services_notification(notify_client, sample_service, db, secret_box):
    other = make_service(db, secret_box)
    sent = notify_client(sample_service.api_key).send_sms_notification(
        "07700900456", str(sample_service.sms_template_id), {"name": "Ada", "code": "1"})

    with pytest.raises(HTTPError) as excinfo:
        notify_client(other.api_key).get_notification_by_id(sent["id"])

    assert excinfo.value.status_code == 404
    assert notify_client(sample_service.test_api_key).get_notification_by_id(sent["id"])["id"] == sent["id"]


def test_the_iterator_walks_every_page_newest_first_and_each_page_links_the_next(
        small_page_api, sample_service, add_notification):
    origin = small_page_api
    base = datetime.now(UTC) - timedelta(minutes=10)
    # Two rows share a timestamp: the id breaks the tie, so neither is skipped or repeated.
    created = [base + timedelta(seconds=s) for s in (1, 2, 3, 3, 4)]
    ids = [add_notification(sample_service, created_at=at) for at in created]
    add_notification(sample_service, created_at=base + timedelta(seconds=5), key_type="team")
    add_notification(sample_service, created_at=base + timedelta(seconds=6), key_type="test")
    client = NotificationsAPIClient(sample_service.api_key, base_url=origin)

    walked = [n["id"] for n in client.get_all_notifications_iterator()]

    newest_first = [str(i) for _, i in sorted(zip(created, ids, strict=True), key=lambda p: (p[0], p[1]),
                                              reverse=True)]
    assert walked == newest_first
    first_page = client.get_all_notifications()
    assert [n["id"] for n in first_page["notifications"]] == newest_first[:2]
    assert first_page["links"] == {"current": f"{origin}/v2/notifications",
                                   "next": f"{origin}/v2/notifications?older_than={newest_first[1]}"}
    last = client.get_all_notifications(older_than=newest_first[-1])
    assert last == {"notifications": [],
                    "links": {"current": f"{origin}/v2/notifications?older_than={newest_first[-1]}"}}


def test_each_key_type_lists_only_what_keys_of_its_type_sent(notify_client, sample_service, add_notification):
    live = add_notification(sample_service)
    team = add_notification(sample_service, key_type="team")
    test = add_notification(sample_service, key_type="test")

    listed = {key: [n["id"] for n in notify_client(getattr(sample_service, key)).get_all_notifications()[
        "notifications"]] for key in ("api_key", "team_api_key", "test_api_key")}

    assert listed == {"api_key": [str(live)], "team_api_key": [str(team)], "test_api_key": [str(test)]}


def test_list_filters_and_keeps_them_in_the_next_link(shared_api, notify_client, sample_service, add_notification):
    delivered_sms = add_notification(sample_service, status="delivered", client_reference="batch-7")
    failed_email = add_notification(sample_service, notification_type="email", status="permanent-failure")
    letter = add_notification(sample_service, notification_type="letter",
                              personalisation={"address_line_1": "Ada", "address_line_2": "1 Street",
                                               "postcode": "SW1A 1AA", "name": "Ada"})
    client = notify_client(sample_service.api_key)

    def ids(**filters) -> list[str]:
        return [n["id"] for n in client.get_all_notifications(**filters)["notifications"]]

    assert ids(template_type="email") == [str(failed_email)]
    assert ids(status="failed") == [str(failed_email)]
    assert ids(status=["delivered", "permanent-failure"], template_type="sms") == [str(delivered_sms)]
    assert ids(reference="batch-7") == [str(delivered_sms)]
    assert ids(status="accepted") == [str(letter)]
    page = client.get_all_notifications(status="delivered", template_type="sms", reference="batch-7")
    assert page["links"]["next"] == (f"{shared_api}/v2/notifications?older_than={delivered_sms}"
                                     "&status=delivered&template_type=sms&reference=batch-7")
    letter_row = client.get_notification_by_id(str(letter))
    assert (letter_row["status"], letter_row["line_2"], letter_row["postcode"]) == ("accepted", "1 Street", "SW1A 1AA")


def test_bad_list_filters_are_validation_errors(notify_client, sample_service):
    client = notify_client(sample_service.api_key)

    with pytest.raises(HTTPError) as status:
        client.get_all_notifications(status="elephant")
    with pytest.raises(HTTPError) as older_than:
        client.get_all_notifications(older_than="nope")

    assert status.value.status_code == 400
    [error] = status.value.message
    assert error["error"] == "ValidationError"
    assert error["message"].startswith("status elephant is not one of [created, sending, pending,")
    assert older_than.value.message == [{"error": "ValidationError", "message": "older_than is not a valid UUID"}]


def test_an_unknown_older_than_gives_an_empty_page(notify_client, sample_service, add_notification):
    add_notification(sample_service)

    page = notify_client(sample_service.api_key).get_all_notifications(older_than=str(uuid.uuid4()))

    assert page["notifications"] == []
    assert set(page["links"]) == {"current"}


def test_a_get_with_a_json_content_type_and_no_body_is_fine(shared_api, sample_service, tokens):
    response = requests.get(f"{shared_api}/v2/notifications",
                            headers={**tokens.bearer(sample_service.api_key), "Content-type": "application/json"})

    assert response.status_code == 200
    assert response.json()["notifications"] == []
