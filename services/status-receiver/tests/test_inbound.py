import uuid
from datetime import UTC, datetime

import pytest

from notify_shared import queues
from notify_shared.callback_messages import callback_body
from notify_shared.envelope import Envelope
from notify_shared.models import InboundNumber, InboundSms
from notify_status_receiver.inbound import ALREADY_STORED, NOT_PERMITTED, STORED, UNKNOWN_NUMBER, store_inbound_sms
from notify_status_receiver.inbound_messages import InboundText, inbound_envelope
from notify_status_receiver.receipt_handler import ReceiptHandler


def inbound(box, *, number: str = "447700900500", content: str = "Yes please", provider: str = "mmg") -> Envelope:
    return inbound_envelope(InboundText(
        inbound_sms_id=uuid.uuid4(), provider=provider, notify_number=number, user_number="447700900123",
        content=content, provider_reference="mmg-ref-9", provider_date=datetime(2026, 5, 21, 10, 56, 11, tzinfo=UTC),
        received_at=datetime(2026, 5, 21, 10, 56, 13, tzinfo=UTC),
    ), box)


def stored(db):
    with db.session() as session:
        return session.query(InboundSms).all()


def test_a_text_to_a_services_inbound_number_is_stored_for_it_with_the_content_encrypted(rows, secret_box):
    rows.inbound_number("07700900500")
    message = inbound(secret_box)

    outcome = store_inbound_sms(rows.db, secret_box, message)

    [row] = stored(rows.db)
    assert outcome.result == STORED
    assert (row.id, row.service_id) == (uuid.UUID(message.payload["inbound_sms_id"]), rows.service_id)
    assert (row.notify_number, row.user_number, row.provider, row.provider_reference) == (
        "07700900500", "447700900123", "mmg", "mmg-ref-9")
    assert row.content != "Yes please"
    assert secret_box.decrypt(row.content) == "Yes please"
    assert row.provider_date == datetime(2026, 5, 21, 10, 56, 11, tzinfo=UTC)
    assert outcome.callbacks == ()


def test_a_redelivered_text_is_stored_once(rows, secret_box):
    rows.inbound_number("07700900500")
    message = inbound(secret_box)

    first = store_inbound_sms(rows.db, secret_box, message)
    again = store_inbound_sms(rows.db, secret_box, message)

    assert (first.result, again.result) == (STORED, ALREADY_STORED)
    assert len(stored(rows.db)) == 1


@pytest.mark.parametrize("setup", ["no number", "inactive number", "number without a service"])
def test_a_text_to_a_number_no_service_owns_is_dropped(rows, secret_box, setup):
    if setup == "inactive number":
        rows.inbound_number("07700900500", active=False)
    elif setup == "number without a service":
        with rows.db.session() as session:
            session.add(InboundNumber(number="07700900500", provider="mmg", service_id=None))

    outcome = store_inbound_sms(rows.db, secret_box, inbound(secret_box))

    assert outcome.result == UNKNOWN_NUMBER
    assert stored(rows.db) == []


def test_a_text_for_a_service_without_the_inbound_sms_permission_is_dropped(rows, secret_box):
    other = rows.service(secret_box, ["sms", "email"])
    rows.inbound_number("07700900500", service_id=other)

    outcome = store_inbound_sms(rows.db, secret_box, inbound(secret_box))

    assert outcome.result == NOT_PERMITTED
    assert stored(rows.db) == []


def test_a_stored_text_is_forwarded_to_the_services_inbound_callback_in_notifys_format(rows, secret_box, db, bus,
                                                                                      receiver_config, read_messages):
    rows.inbound_number("07700900500")
    rows.callback_api("https://service.example/inbound", "token-123", secret_box, callback_type="inbound_sms")
    message = inbound(secret_box)

    ReceiptHandler(db, bus, secret_box, receiver_config).handle_batch([message])

    [callback] = read_messages(queues.SERVICE_CALLBACKS, 1)
    assert callback.kind == "inbound-sms-callback"
    assert "447700900123" not in str(callback.payload) and "Yes please" not in str(callback.payload)
    assert callback_body(callback, secret_box) == {
        "id": message.payload["inbound_sms_id"],
        "source_number": "447700900123",
        "destination_number": "07700900500",
        "message": "Yes please",
        "date_received": "2026-05-21T10:56:11.000000Z",
    }


def test_an_unknown_inbound_number_is_logged(rows, secret_box, db, bus, receiver_config, capsys):
    ReceiptHandler(db, bus, secret_box, receiver_config).handle_batch([inbound(secret_box, number="447700900999")])

    logged = capsys.readouterr().out
    assert "inbound_sms_dropped_unknown_number" in logged
    assert "447700900123" not in logged and "Yes please" not in logged
    assert bus.published == 0
