"""Precompiled letters through the real sender: the PDF the API stored goes to print as it is."""
from __future__ import annotations

import base64
import json
import uuid
from datetime import date

from sqlalchemy import select

from notify_shared import provisioning, queues
from notify_shared.letters.render import LetterContent, render_letter_pdf
from notify_shared.letters.store import FilesystemPdfStore
from notify_shared.models import ApiKey, Notification

ADDRESS = ("A Person", "1 High Street", "SW1A 1AA")


def create_precompiled_letter(harness) -> uuid.UUID:
    """A row as the API leaves an accepted precompiled letter: its empty template, `created`, sheets counted."""
    with harness.db.session() as session:
        template = provisioning.create_template(session, service_id=harness.service.id, name="Pre-compiled PDF",
                                                template_type="letter", subject="Pre-compiled PDF", content="")
        key_id = session.execute(select(ApiKey.id).where(ApiKey.service_id == harness.service.id,
                                                         ApiKey.key_type == "test")).scalar_one()
        notification = Notification(
            service_id=harness.service.id, template_id=template.id, template_version=1, api_key_id=key_id,
            key_type="test", notification_type="letter", to="\n".join(ADDRESS), normalised_to="sw1a1aa",
            personalisation=harness.box.encrypt(json.dumps({"address_line_1": "A Person"})), status="created",
            postage="first", billable_units=2,
        )
        session.add(notification)
        session.flush()
        return notification.id


def test_the_stored_pdf_is_sent_unchanged_and_its_sheets_counted(harness, tmp_path, real_provider_trap):
    harness.start_simulator()
    harness.start_sender(LETTER_PDF_DIR=str(tmp_path), PRINT_PROVIDER_URL=real_provider_trap.url)
    notification_id = create_precompiled_letter(harness)
    pdf = render_letter_pdf(LetterContent(address_lines=ADDRESS, subject="Made by the service",
                                          body="\n\n***\n\n".join(["page"] * 3), date=date(2026, 1, 5)))
    FilesystemPdfStore(tmp_path).put(notification_id, pdf)

    harness.publish(notification_id, "letter", queue=queues.RESEARCH_MODE)
    row = harness.wait_for_status(notification_id, "sending", sent=True)

    assert row.billable_units == 2
    [job] = harness.messages(notification_id)
    # The simulator keeps the size of the base64 PDF it was handed, not the file.
    assert job["request"]["pdf_bytes"] == len(base64.b64encode(pdf))
    assert {k: job["request"][k] for k in ("postage", "address")} == {"postage": "first", "address": list(ADDRESS)}
    assert real_provider_trap.hits == []
    assert FilesystemPdfStore(tmp_path).get(notification_id) == pdf


def test_a_precompiled_letter_whose_pdf_is_gone_fails_rather_than_printing_a_blank_page(harness, tmp_path):
    harness.start_simulator()
    harness.start_sender(LETTER_PDF_DIR=str(tmp_path))
    notification_id = create_precompiled_letter(harness)

    harness.publish(notification_id, "letter", queue=queues.RESEARCH_MODE)
    harness.wait_for_status(notification_id, "technical-failure")

    assert harness.messages(notification_id) == []
    assert not FilesystemPdfStore(tmp_path).exists(notification_id)
