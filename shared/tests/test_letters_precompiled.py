"""Precompiled letters: each kind of bad PDF is refused with Notify's message."""
from __future__ import annotations

import base64
import io
from datetime import date

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from notify_shared.letters import precompiled
from notify_shared.letters.postage import INVALID_POSTAGE_MESSAGE, InvalidPostage, choose_postage
from notify_shared.letters.precompiled import PrecompiledLetterInvalid, validate_precompiled
from notify_shared.letters.render import LetterContent, render_letter_pdf


def good_pdf(address=("A Person", "1 High Street", "SW1A 1AA"), body: str = "Hello.") -> bytes:
    return render_letter_pdf(LetterContent(address_lines=address, subject="Subject", body=body, date=date(2026, 1, 1)))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def refusal(content: str) -> str:
    with pytest.raises(PrecompiledLetterInvalid) as caught:
        validate_precompiled(content)
    return caught.value.message


def test_a_good_pdf_is_accepted_with_its_page_count_and_address():
    validated = validate_precompiled(b64(good_pdf()))

    assert validated.page_count == 1
    assert validated.address_lines == ("A Person", "1 High Street", "SW1A 1AA")


def test_content_that_is_not_base64_is_refused():
    assert refusal("this is not base64!") == precompiled.NOT_BASE64


def test_content_that_is_not_a_pdf_is_refused():
    assert refusal(b64(b"hello, I am a text file")) == precompiled.NOT_A_PDF


def test_a_corrupt_pdf_is_refused():
    assert refusal(b64(good_pdf()[:400])) == precompiled.NOT_A_PDF


def test_an_encrypted_pdf_is_refused():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(good_pdf())))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)

    assert refusal(b64(out.getvalue())) == precompiled.ENCRYPTED


def test_more_than_ten_pages_is_refused():
    assert refusal(b64(good_pdf(body="\n\n***\n\n".join(["page"] * 11)))) == precompiled.TOO_MANY_PAGES


def test_a_page_that_is_not_a4_is_a_print_problem_not_a_refusal():
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=LETTER)
    for line, text in enumerate(("A Person", "1 High Street", "SW1A 1AA")):
        # In the envelope window, measured from the top of the (taller than A4) US letter page.
        c.drawString(75, LETTER[1] - 125 - 12 * line, text)
    c.save()

    validated = validate_precompiled(b64(out.getvalue()))

    assert validated.print_problem == precompiled.NOT_A4
    assert validated.address_lines == ("A Person", "1 High Street", "SW1A 1AA")
    assert validate_precompiled(b64(good_pdf())).print_problem is None


def test_a_pdf_with_nothing_in_the_address_window_is_refused():
    out = io.BytesIO()
    c = canvas.Canvas(out)  # reportlab's default page size is A4
    c.drawString(72, 100, "Text only at the foot of the page")
    c.save()

    assert refusal(b64(out.getvalue())) == precompiled.NO_ADDRESS


def test_an_address_without_a_real_postcode_is_refused():
    assert refusal(b64(good_pdf(address=("A Person", "1 High Street", "Nowhere")))) == precompiled.NO_POSTCODE


def test_postage_is_first_second_or_economy_defaulting_to_the_template_then_second():
    assert choose_postage("first") == "first"
    assert choose_postage(None, "economy") == "economy"
    assert choose_postage(None, None) == "second"
    with pytest.raises(InvalidPostage, match=INVALID_POSTAGE_MESSAGE):
        choose_postage("europe-by-carrier-pigeon")
