"""PDFs for letter tests (`pdfs` fixture): good letters from our own renderer, and each kind of bad one."""
from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from notify_shared.letters.render import LetterContent, render_letter_pdf

ADDRESS = ("Ada Lovelace", "1 Test Street", "London", "sw1a 1aa")


def letter_pdf(address: tuple[str, ...] = ADDRESS, pages: int = 1) -> bytes:
    """An A4 letter with `address` in the envelope window and `pages` pages."""
    body = "\n\n***\n\n".join(["A page of the letter."] * pages)
    return render_letter_pdf(LetterContent(address_lines=address, subject="Your letter", body=body,
                                           date=date(2026, 1, 5)))


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(letter_pdf())))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_a4_pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)  # reportlab's default page size is A4
    page.drawString(72, 100, "Text only at the foot of the page")
    page.save()
    return out.getvalue()


def us_letter_pdf() -> bytes:
    """Readable, with a good address in the window, but on US letter paper: the print run cannot take it."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=LETTER)
    for line, text in enumerate(ADDRESS):
        page.drawString(75, LETTER[1] - 125 - 12 * line, text)
    page.save()
    return out.getvalue()


@pytest.fixture(scope="session")
def pdfs() -> SimpleNamespace:
    return SimpleNamespace(address=ADDRESS, letter=letter_pdf, encrypted=encrypted_pdf, blank_a4=blank_a4_pdf,
                           us_letter=us_letter_pdf)
