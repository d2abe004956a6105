"""GET /v2/notifications/{id}/pdf: the letter's PDF once the sender has stored it, Notify's errors before."""
from __future__ import annotations

import uuid

import pytest
from notifications_python_client.errors import HTTPError

from notify_shared.letters.store import FilesystemPdfStore
from notify_testkit.fixtures import make_service

LETTER = {"address_line_1": "Ada", "address_line_2": "1 Street", "postcode": "SW1A 1AA", "name": "Ada"}


def pdf_error(client, notification_id: str) -> tuple[int, list[dict]]:
    with pytest.raises(HTTPError) as excinfo:
        client.get_pdf_for_letter(notification_id)
    return excinfo.value.status_code, excinfo.value.message


def test_a_letter_pdf_is_not_ready_until_stored_then_comes_back_as_is(
        notify_client, sample_service, letter_pdf_dir):
    client = notify_client(sample_service.api_key)
    letter = client.send_letter_notification(str(sample_service.letter_template_id), LETTER)
    not_ready = pdf_error(client, letter["id"])
    pdf = b"%PDF-1.7\n% a rendered letter\n%%EOF\n"

    FilesystemPdfStore(letter_pdf_dir).put(uuid.UUID(letter["id"]), pdf)

    assert not_ready == (400, [{"error": "PDFNotReadyError", "message": "PDF not available yet, try again later"}])
    assert client.get_pdf_for_letter(letter["id"]).read() == pdf


def test_a_letter_awaiting_its_virus_scan_has_no_pdf_yet(notify_client, sample_service, add_notification,
                                                         letter_pdf_dir):
    scanning = add_notification(sample_service, notification_type="letter", status="pending-virus-check",
                                personalisation=LETTER)
    FilesystemPdfStore(letter_pdf_dir).put(scanning, b"%PDF-1.7 unscanned")

    assert pdf_error(notify_client(sample_service.api_key), str(scanning))[1][0]["error"] == "PDFNotReadyError"


def test_letters_that_failed_say_why_there_is_no_pdf(notify_client, sample_service, add_notification):
    failed = add_notification(sample_service, notification_type="letter", status="technical-failure",
                              personalisation=LETTER)
    infected = add_notification(sample_service, notification_type="letter", status="virus-scan-failed",
                                personalisation=LETTER)
    client = notify_client(sample_service.api_key)

    assert pdf_error(client, str(failed)) == (
        400, [{"error": "BadRequestError", "message": "PDF not available for letters in status technical-failure"}])
    assert pdf_error(client, str(infected)) == (
        400, [{"error": "BadRequestError", "message": "File did not pass the virus scan"}])


def test_a_text_has_no_pdf(notify_client, sample_service, add_notification):
    sms = add_notification(sample_service)

    assert pdf_error(notify_client(sample_service.api_key), str(sms)) == (
        400, [{"error": "BadRequestError", "message": "Notification is not a letter"}])


def test_unknown_malformed_and_other_services_ids(notify_client, sample_service, db, secret_box, add_notification,
                                                  letter_pdf_dir):
    other = make_service(db, secret_box)
    theirs = add_notification(other, notification_type="letter", personalisation=LETTER)
    FilesystemPdfStore(letter_pdf_dir).put(theirs, b"%PDF-1.7 another service's letter")
    client = notify_client(sample_service.api_key)

    assert pdf_error(client, str(uuid.uuid4()))[0] == 404
    assert pdf_error(client, str(theirs)) == (404, [{"error": "NoResultFound", "message": "No result found"}])
    assert pdf_error(client, "not-an-id") == (
        400, [{"error": "ValidationError", "message": "notification_id is not a valid UUID"}])
