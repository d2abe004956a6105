"""Precompiled letters (POST /v2/notifications/letter with `content`) through the running API and the
official client: stored, scanned, queued for the letter workers, read back; and every bad input refused."""
from __future__ import annotations

import base64
import io
import uuid

import pytest
import requests
from notifications_python_client.errors import HTTPError
from sqlalchemy import select

from notify_api.notifications.precompiled import PRECOMPILED_TEMPLATE_NAME, precompiled_template_id
from notify_shared import queues
from notify_shared.letters import precompiled
from notify_shared.letters.store import FilesystemPdfStore
from notify_shared.models import Template
from notify_testkit.fixtures import count_for_service, make_service, stored


def error_of(call, *args, **kwargs) -> tuple[int, list[dict]]:
    with pytest.raises(HTTPError) as excinfo:
        call(*args, **kwargs)
    return excinfo.value.status_code, excinfo.value.message


def test_a_precompiled_letter_is_stored_scanned_and_queued_then_read_back(
        start_api, notify_client, sample_service, db, read_queue, tmp_path, pdfs):
    api = start_api(LETTER_PDF_DIR=str(tmp_path))
    client = notify_client(sample_service.api_key, api)
    pdf = pdfs.letter(pages=3)

    response = client.send_precompiled_letter_notification("my-letter", io.BytesIO(pdf), postage="first")
    by_test_key = notify_client(sample_service.test_api_key, api).send_precompiled_letter_notification(
        "test-letter", io.BytesIO(pdfs.letter()))

    assert set(response) == {"id", "reference", "postage"}
    assert (response["reference"], response["postage"], by_test_key["postage"]) == ("my-letter", "first", "second")
    row = stored(db, response["id"])
    assert (row.status, row.notification_type, row.postage, row.billable_units) == ("created", "letter", "first", 2)
    assert row.to == "Ada Lovelace\n1 Test Street\nLondon\nSW1A 1AA"
    assert row.template_id == precompiled_template_id(sample_service.id)
    assert FilesystemPdfStore(tmp_path).get(uuid.UUID(response["id"])) == pdf
    # Test keys produce the PDF too, but go to the research-mode workers, which never reach the printer.
    assert (stored(db, by_test_key["id"]).status, stored(db, by_test_key["id"]).key_type) == ("created", "test")
    assert FilesystemPdfStore(tmp_path).exists(uuid.UUID(by_test_key["id"]))
    [research] = read_queue(queues.RESEARCH_MODE)
    assert (research.kind, research.notification_id) == ("send-letter", by_test_key["id"])
    [printing] = read_queue(queues.SEND_LETTER)
    assert (printing.kind, printing.notification_id) == ("send-letter", response["id"])

    fetched = client.get_notification_by_id(response["id"])
    assert {k: fetched[k] for k in ("type", "status", "reference", "postage", "subject", "body")} == {
        "type": "letter", "status": "accepted", "reference": "my-letter", "postage": "first",
        "subject": PRECOMPILED_TEMPLATE_NAME, "body": ""}
    assert [fetched[f"line_{n}"] for n in range(1, 7)] + [fetched["postcode"]] == [
        "Ada Lovelace", "1 Test Street", "London", None, None, None, "SW1A 1AA"]
    assert (fetched["is_cost_data_ready"], fetched["cost_in_pounds"], fetched["cost_details"]) == (
        True, 1.01, {"billable_sheets_of_paper": 2, "postage": "first"})
    # The PDF is the caller's own, so it is ready at once, exactly as sent.
    assert client.get_pdf_for_letter(response["id"]).read() == pdf


def test_the_hidden_template_is_made_once_per_service_and_never_listed(notify_client, sample_service, db, pdfs):
    client = notify_client(sample_service.api_key)

    first = client.send_precompiled_letter_notification("one", io.BytesIO(pdfs.letter()))
    second = client.send_precompiled_letter_notification("two", io.BytesIO(pdfs.letter()), postage="economy")

    assert stored(db, first["id"]).template_id == stored(db, second["id"]).template_id
    assert second["postage"] == "economy"
    with db.session() as session:
        made = session.scalars(select(Template).where(Template.service_id == sample_service.id,
                                                      Template.name == PRECOMPILED_TEMPLATE_NAME)).all()
    assert [(t.id, t.template_type, t.content, t.archived) for t in made] == [
        (precompiled_template_id(sample_service.id), "letter", "", True)]
    assert len(client.get_all_templates()["templates"]) == 3
    assert len(client.get_all_templates(template_type="letter")["templates"]) == 1


def test_a_pdf_that_is_not_a4_is_accepted_then_fails_validation_and_is_not_sent(
        notify_client, sample_service, db, pdfs):
    client = notify_client(sample_service.api_key)

    response = client.send_precompiled_letter_notification("us-letter", io.BytesIO(pdfs.us_letter()))

    row = stored(db, response["id"])
    assert (row.status, row.completed_at is not None) == ("validation-failed", True)
    fetched = client.get_notification_by_id(response["id"])
    assert fetched["status"] == "validation-failed"
    assert (fetched["is_cost_data_ready"], fetched["cost_in_pounds"]) == (True, 0.0)


BAD_CONTENT = {
    "not a PDF": (b"hello, I am a text file", precompiled.NOT_A_PDF),
    "corrupt": (None, precompiled.NOT_A_PDF),
    "encrypted": (None, precompiled.ENCRYPTED),
    "too many pages": (None, precompiled.TOO_MANY_PAGES),
    "nothing in the address window": (None, precompiled.NO_ADDRESS),
    "no real postcode": (None, precompiled.NO_POSTCODE),
}


def _bad_pdf(case: str, pdfs) -> bytes:
    return {
        "corrupt": lambda: pdfs.letter()[:400],
        "encrypted": pdfs.encrypted,
        "too many pages": lambda: pdfs.letter(pages=11),
        "nothing in the address window": pdfs.blank_a4,
        "no real postcode": lambda: pdfs.letter(address=("Ada Lovelace", "1 Test Street", "Nowhere")),
    }[case]()


@pytest.mark.parametrize("case", list(BAD_CONTENT))
def test_bad_pdfs_are_refused_with_400_and_nothing_is_stored(case, notify_client, sample_service, db, pdfs):
    content, message = BAD_CONTENT[case]
    client = notify_client(sample_service.api_key)

    result = error_of(client.send_precompiled_letter_notification, "bad", io.BytesIO(content or _bad_pdf(case, pdfs)))

    assert result == (400, [{"error": "BadRequestError", "message": message}])
    assert count_for_service(db, sample_service.id) == 0


def post_raw(api: str, api_key: str, tokens, body: dict) -> tuple[int, dict]:
    response = requests.post(f"{api}/v2/notifications/letter", json=body, headers=tokens.bearer(api_key), timeout=10)
    return response.status_code, response.json()


def test_request_shape_errors_use_notify_messages(shared_api, sample_service, tokens, db, pdfs):
    content = base64.b64encode(pdfs.letter()).decode()
    cases = [
        ({"reference": "r", "content": "this is not base64!"}, "BadRequestError", precompiled.NOT_BASE64),
        ({"reference": "r", "content": content, "postage": "europe"}, "ValidationError",
         "postage invalid. It must be either first, second or economy."),
        ({"content": content}, "ValidationError", "reference is a required property"),
        ({"reference": "r", "content": content, "template_id": str(uuid.uuid4())}, "ValidationError",
         "Additional properties are not allowed (template_id was unexpected)"),
    ]
    for body, error, message in cases:
        assert post_raw(shared_api, sample_service.api_key, tokens, body) == (
            400, {"status_code": 400, "errors": [{"error": error, "message": message}]}), body
    assert count_for_service(db, sample_service.id) == 0


def test_team_keys_trial_mode_and_services_without_letters_are_refused(notify_client, db, secret_box, pdfs):
    live = make_service(db, secret_box)
    trial = make_service(db, secret_box, restricted=True)
    no_letters = make_service(db, secret_box, permissions=["sms", "email"])

    def send(api_key: str):
        return error_of(notify_client(api_key).send_precompiled_letter_notification, "r", io.BytesIO(pdfs.letter()))

    assert send(live.team_api_key) == (403, [{"error": "BadRequestError",
                                             "message": "Cannot send letters with a team api key"}])
    assert send(trial.api_key) == (403, [{"error": "BadRequestError",
                                         "message": "Cannot send letters when service is in trial mode"}])
    assert send(no_letters.api_key) == (400, [{"error": "BadRequestError",
                                              "message": "Service is not allowed to send letters"}])
    # A trial-mode service may still try letters out with a test key, as in Notify.
    assert notify_client(trial.test_api_key).send_precompiled_letter_notification(
        "r", io.BytesIO(pdfs.letter()))["postage"] == "second"
