"""Letter prices on GET notification, and a templated letter read back through the official client."""
from __future__ import annotations

import uuid

import pytest
from notifications_python_client.errors import HTTPError
from sqlalchemy import update

from notify_api.notifications.letters import letter_cost
from notify_shared.letters.rates import LETTER_RATES, letter_rate
from notify_shared.letters.store import FilesystemPdfStore
from notify_shared.models import Notification

LETTER = {"address_line_1": "Ada Lovelace", "address_line_2": "1 Test Street", "postcode": "SW1A 1AA", "name": "Ada"}


def test_rates_by_postage_and_sheets():
    assert [letter_rate("second", n) for n in range(1, 6)] == [0.61, 0.65, 0.68, 0.75, 0.79]
    assert [letter_rate("first", n) for n in range(1, 6)] == [0.97, 1.01, 1.05, 1.11, 1.15]
    assert [letter_rate("economy", n) for n in range(1, 6)] == [0.59, 0.64, 0.68, 0.73, 0.78]
    assert set(LETTER_RATES) == {"first", "second", "economy"}
    # Not priced: no sheets counted yet, more than a letter may have, or a postage that is not UK.
    assert letter_rate("second", 0) is letter_rate("second", 6) is letter_rate("europe", 1) is None


@pytest.mark.parametrize(("status", "sheets", "postage", "expected"), [
    ("created", 0, "second", (False, None, {})),
    ("sending", 3, "second", (True, 0.68, {"billable_sheets_of_paper": 3, "postage": "second"})),
    ("delivered", 1, None, (True, 0.61, {"billable_sheets_of_paper": 1, "postage": "second"})),
    ("returned-letter", 5, "first", (True, 1.15, {"billable_sheets_of_paper": 5, "postage": "first"})),
    ("technical-failure", 2, "economy", (True, 0.0, {"billable_sheets_of_paper": 0, "postage": "economy"})),
    ("validation-failed", 0, "first", (True, 0.0, {"billable_sheets_of_paper": 0, "postage": "first"})),
    ("sending", 6, "second", (False, None, {})),
])
def test_cost_is_ready_once_sheets_are_counted_and_nothing_is_charged_for_unprinted_letters(
        status, sheets, postage, expected):
    assert letter_cost(status, sheets, postage) == expected


def test_a_templated_letter_through_the_official_client(notify_client, sample_service, db, letter_pdf_dir):
    client = notify_client(sample_service.api_key)

    sent = client.send_letter_notification(str(sample_service.letter_template_id), LETTER, reference="templated")
    before = client.get_notification_by_id(sent["id"])
    with pytest.raises(HTTPError) as not_ready:
        client.get_pdf_for_letter(sent["id"])
    # What the sender does: render and store the PDF, count its sheets, hand it to the printer.
    pdf = b"%PDF-1.7\n% a rendered three-page letter\n%%EOF\n"
    FilesystemPdfStore(letter_pdf_dir).put(uuid.UUID(sent["id"]), pdf)
    with db.session() as session:
        session.execute(update(Notification).where(Notification.id == uuid.UUID(sent["id"]))
                        .values(status="sending", billable_units=2))
    after = client.get_notification_by_id(sent["id"])

    assert sent["content"] == {"body": "Dear Ada", "subject": "Letter for Ada"}
    assert {k: before[k] for k in ("type", "status", "reference", "postage", "line_1", "postcode")} == {
        "type": "letter", "status": "accepted", "reference": "templated", "postage": "second",
        "line_1": "Ada Lovelace", "postcode": "SW1A 1AA"}
    assert (before["is_cost_data_ready"], before["cost_in_pounds"], before["cost_details"]) == (False, None, {})
    assert (not_ready.value.status_code, not_ready.value.message) == (
        400, [{"error": "PDFNotReadyError", "message": "PDF not available yet, try again later"}])
    assert (after["status"], after["is_cost_data_ready"], after["cost_in_pounds"], after["cost_details"]) == (
        "accepted", True, 0.65, {"billable_sheets_of_paper": 2, "postage": "second"})
    assert client.get_pdf_for_letter(sent["id"]).read() == pdf
