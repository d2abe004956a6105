"""Letters through the real sender process: claim → render and store the PDF → print provider → `sending`."""
from __future__ import annotations

import io
import json
import uuid
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import func, select

from notify_shared import queues
from notify_shared.letters.precompiled import address_window_text
from notify_shared.letters.store import FilesystemPdfStore
from notify_shared.models import ApiKey, Notification

ADDRESS = "A Person\n1 High Street\nSW1A 1AA"
# Two days old: created before the latest daily collation whatever the time, so due for the print provider.
DUE_AGE_SECONDS = 2 * 86400


def create_letter(harness, *, key_type: str = "normal", to: str = ADDRESS, postage: str = "first",
                  age_seconds: float = DUE_AGE_SECONDS) -> uuid.UUID:
    """A letter row as the API writes it, `age_seconds` old by the database clock."""
    with harness.db.session() as session:
        now = session.scalar(select(func.now()))
        key_id = session.execute(select(ApiKey.id).where(ApiKey.service_id == harness.service.id,
                                                         ApiKey.key_type == key_type)).scalar_one()
        notification = Notification(
            service_id=harness.service.id, template_id=harness.service.letter_template_id, template_version=1,
            api_key_id=key_id, key_type=key_type, notification_type="letter", to=to,
            normalised_to=to.splitlines()[-1].replace(" ", "").lower(),
            personalisation=harness.box.encrypt(json.dumps({"name": "Ada"})), status="created", postage=postage,
            created_at=now - timedelta(seconds=age_seconds),
        )
        session.add(notification)
        session.flush()
        return notification.id


def test_a_letter_is_rendered_stored_counted_and_handed_to_the_print_provider(harness, tmp_path):
    harness.start_simulator()
    harness.start_sender(LETTER_PDF_DIR=str(tmp_path), PRINT_PROVIDER_URL=harness.simulator_url)
    notification_id = create_letter(harness)

    harness.publish(notification_id, "letter")
    row = harness.wait_for_status(notification_id, "sending", sent=True)

    assert row.sent_by == "dvla" and row.billable_units == 1
    pdf = FilesystemPdfStore(tmp_path).get(notification_id)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert address_window_text(page) == ADDRESS.splitlines()
    assert "Letter for Ada" in page.extract_text() and "Dear Ada" in page.extract_text()
    [job] = harness.messages(notification_id)
    assert job["provider"] == "dvla"
    assert {k: job["request"][k] for k in ("id", "postage", "address")} == {
        "id": str(notification_id), "postage": "first", "address": ADDRESS.splitlines()}


def test_a_test_key_letter_gets_a_pdf_but_never_reaches_the_print_provider(harness, tmp_path, real_provider_trap):
    harness.start_simulator()
    harness.start_sender(LETTER_PDF_DIR=str(tmp_path), PRINT_PROVIDER_URL=real_provider_trap.url)
    notification_id = create_letter(harness, key_type="test")

    harness.publish(notification_id, "letter", queue=queues.RESEARCH_MODE)
    harness.wait_for_status(notification_id, "sending", sent=True)

    assert FilesystemPdfStore(tmp_path).exists(notification_id)
    assert real_provider_trap.hits == []
    assert len(harness.messages(notification_id)) == 1  # the simulator's print API took it instead
