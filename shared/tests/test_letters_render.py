"""Templated letters render to A4 PDFs with the address in the envelope window."""
from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from notify_shared.letters import layout
from notify_shared.letters.precompiled import address_window_text, validate_pdf
from notify_shared.letters.render import LetterContent, render_letter_pdf, sheets

ADDRESS = ("Ms A Person", "1 High Street", "Anytown", "SW1A 1AA")


def _letter(body: str = "Hello.\n\nSecond paragraph.") -> LetterContent:
    return LetterContent(address_lines=ADDRESS, subject="Your licence", body=body,
                         contact_block="Licensing team\n10 Whitehall", date=date(2026, 11, 28))


def test_rendered_letter_is_an_a4_pdf_with_the_address_in_the_window():
    pdf = render_letter_pdf(_letter())

    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert abs(float(page.mediabox.width) - layout.PAGE_WIDTH) < 1
    assert abs(float(page.mediabox.height) - layout.PAGE_HEIGHT) < 1
    assert address_window_text(page) == list(ADDRESS)


def test_rendered_letter_carries_contact_block_date_subject_body_and_page_numbers():
    text = PdfReader(io.BytesIO(render_letter_pdf(_letter()))).pages[0].extract_text()

    for expected in ("Licensing team", "10 Whitehall", "28 November 2026", "Your licence", "Hello.",
                     "Second paragraph.", "Page 1 of 1"):
        assert expected in text


def test_letter_markup_gives_headings_bullets_and_page_breaks():
    pdf = render_letter_pdf(_letter("# What happens next\n\n* first thing\n* second thing\n\n***\n\nLater page."))

    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 2
    first = pages[0].extract_text()
    assert "What happens next" in first and "first thing" in first and "second thing" in first
    assert "Later page." in pages[1].extract_text() and "Page 2 of 2" in pages[1].extract_text()


def test_a_rendered_letter_passes_precompiled_validation():
    validated = validate_pdf(render_letter_pdf(_letter()))

    assert validated.page_count == 1 and validated.postcode == "SW1A 1AA"


def test_sheets_are_pages_printed_double_sided():
    assert [sheets(n) for n in (1, 2, 3, 4, 10)] == [1, 1, 2, 2, 5]
