"""A key of service A never reads or uses anything of service B, endpoint by endpoint (official client)."""
from __future__ import annotations

import pytest
from notifications_python_client.errors import HTTPError

from notify_shared import provisioning
from notify_shared.models import ServiceSmsSender
from notify_testkit.fixtures import make_service

LETTER = {"address_line_1": "Ada", "address_line_2": "1 Street", "postcode": "SW1A 1AA", "name": "Ada"}


@pytest.fixture
def service_b(db, secret_box, add_notification, add_received_text):
    """Service B with one of everything: notifications of every type, a received text, a sender, a reply-to."""
    b = make_service(db, secret_box)
    with db.session() as session:
        sender = ServiceSmsSender(service_id=b.id, sms_sender="BSENDER")
        session.add(sender)
        session.flush()
        reply_to = provisioning.add_email_reply_to(session, service_id=b.id, email_address="b@example.com")
        ids = {"sms_sender": str(sender.id), "reply_to": str(reply_to.id)}
    ids |= {kind: str(add_notification(b, notification_type=kind, personalisation=LETTER))
            for kind in ("sms", "email", "letter")}
    ids["test_sms"] = str(add_notification(b, key_type="test"))
    ids["received_text"] = str(add_received_text(b.id, "for B only"))
    return b, ids


def status_of(call, *args, **kwargs) -> int:
    with pytest.raises(HTTPError) as excinfo:
        call(*args, **kwargs)
    return excinfo.value.status_code


@pytest.mark.parametrize("key", ["api_key", "team_api_key", "test_api_key"])
def test_no_key_of_a_reads_bs_notifications_or_pdfs(notify_client, sample_service, service_b, key):
    _, ids = service_b
    client = notify_client(getattr(sample_service, key))

    for kind in ("sms", "email", "letter", "test_sms"):
        assert status_of(client.get_notification_by_id, ids[kind]) == 404
        assert status_of(client.get_pdf_for_letter, ids[kind]) == 404
    assert client.get_all_notifications()["notifications"] == []
    assert client.get_all_notifications(older_than=ids["sms"])["notifications"] == []
    assert list(client.get_all_notifications_iterator()) == []


def test_a_never_lists_bs_notifications_even_with_bs_reference(notify_client, sample_service, add_notification,
                                                                 service_b, db):
    b, _ = service_b
    add_notification(b, client_reference="shared-ref")
    ours = add_notification(sample_service, client_reference="shared-ref")

    listed = notify_client(sample_service.api_key).get_all_notifications(reference="shared-ref")["notifications"]

    assert [n["id"] for n in listed] == [str(ours)]


def test_a_cannot_read_bs_templates_or_received_texts(notify_client, sample_service, service_b):
    b, ids = service_b
    client = notify_client(sample_service.api_key)

    for template_id in (b.sms_template_id, b.email_template_id, b.letter_template_id):
        assert status_of(client.get_template, str(template_id)) == 404
        assert status_of(client.get_template_version, str(template_id), 1) == 404
        assert status_of(client.post_template_preview, str(template_id), {"name": "A", "code": "1"}) == 404
    assert {t["id"] for t in client.get_all_templates()["templates"]}.isdisjoint(
        {str(b.sms_template_id), str(b.email_template_id), str(b.letter_template_id)})
    assert client.get_received_texts()["received_text_messages"] == []
    assert client.get_received_texts(older_than=ids["received_text"])["received_text_messages"] == []


def test_a_cannot_send_with_bs_templates_sender_or_reply_to(notify_client, sample_service, service_b):
    b, ids = service_b
    client = notify_client(sample_service.api_key)

    def refusal(call, *args, **kwargs) -> str:
        with pytest.raises(HTTPError) as excinfo:
            call(*args, **kwargs)
        return excinfo.value.message[0]["message"]

    assert refusal(client.send_sms_notification, "07700900456", str(b.sms_template_id),
                   {"name": "A", "code": "1"}) == "Template not found"
    assert refusal(client.send_email_notification, "a@example.com", str(b.email_template_id),
                   {"name": "A"}) == "Template not found"
    assert refusal(client.send_letter_notification, str(b.letter_template_id), LETTER) == "Template not found"
    assert refusal(client.send_sms_notification, "07700900456", str(sample_service.sms_template_id),
                   {"name": "A", "code": "1"}, sms_sender_id=ids["sms_sender"]) == (
        f"sms_sender_id {ids['sms_sender']} does not exist in database for service id {sample_service.id}")
    assert refusal(client.send_email_notification, "a@example.com", str(sample_service.email_template_id),
                   {"name": "A"}, email_reply_to_id=ids["reply_to"]) == (
        f"email_reply_to_id {ids['reply_to']} does not exist in database for service id {sample_service.id}")


def test_bs_key_cannot_be_used_with_as_service_id(notify_client, sample_service, service_b, tokens, shared_api):
    import requests

    b, _ = service_b
    _, b_secret = tokens.key_parts(b.api_key)
    # A token that claims to be A but is signed with B's secret.
    forged = tokens.bearer(sample_service.api_key, secret=b_secret)

    response = requests.get(f"{shared_api}/v2/notifications", headers=forged, timeout=5)

    assert (response.status_code, response.json()["errors"]) == (
        403, [{"error": "AuthError", "message": "Invalid token: API key not found"}])
