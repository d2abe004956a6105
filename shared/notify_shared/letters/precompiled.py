"""Validation of a precompiled letter: a base64 PDF a service made itself.

Checks, in order, each failure with the message Notify's API or its letter validation gives:
decodable base64, really a PDF, not encrypted, readable, at most 10 pages, and a readable address in the
envelope window whose last line is a real UK postcode. Those make the request bad input (400).

A4 portrait on every page is checked too, but a PDF that fails only that is a letter the print run
cannot take rather than a malformed request: as in Notify, it is accepted and then marked
`validation-failed`, so it comes back as `print_problem` instead of an exception.
"""
from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from . import layout

MAX_PAGES = 10

# Outward + inward code, BFPO and GIR 0AA, compared without spaces (same rule as templated letters).
UK_POSTCODE = re.compile(r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2}|GIR0AA|BFPO[0-9]{1,4})$")

NOT_BASE64 = "Cannot decode letter content (invalid base64 encoding)"
NOT_A_PDF = "Letter content is not a valid PDF"
ENCRYPTED = "Letter content is encrypted or password protected"
NOT_A4 = "Your letter is not A4 portrait size on every page"
TOO_MANY_PAGES = f"Letters must be {MAX_PAGES} pages or less ({MAX_PAGES // 2} double-sided sheets of paper)"
NO_ADDRESS = "The address block is empty"
NO_POSTCODE = "The last line of the address must be a real UK postcode"
TOO_FEW_ADDRESS_LINES = "The address must be at least 3 lines long"
TOO_MANY_ADDRESS_LINES = "The address must be no more than 7 lines long"
MAX_ADDRESS_LINES = 7


class PrecompiledLetterInvalid(ValueError):
    """The PDF cannot be printed; `message` is the text the API returns."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ValidatedLetter:
    pdf: bytes
    page_count: int
    address_lines: tuple[str, ...]
    # Why the print provider could not print it as it is (the letter becomes validation-failed), if so.
    print_problem: str | None = None

    @property
    def postcode(self) -> str:
        return self.address_lines[-1]


def decode_content(content: str) -> bytes:
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PrecompiledLetterInvalid(NOT_BASE64) from exc


def _is_a4_portrait(page) -> bool:
    box = page.mediabox
    width, height = float(box.width), float(box.height)
    if page.rotation in (90, 270):
        width, height = height, width
    return (abs(width - layout.PAGE_WIDTH) <= layout.A4_TOLERANCE_POINTS
            and abs(height - layout.PAGE_HEIGHT) <= layout.A4_TOLERANCE_POINTS)


def address_window_text(page) -> list[str]:
    """The text lines whose start lies inside the envelope window, top to bottom."""
    page_top = float(page.mediabox.top)
    page_left = float(page.mediabox.left)
    found: dict[float, list[tuple[float, str]]] = {}

    def visit(text: str, cm, tm, _font, _size) -> None:
        if not text.strip():
            return
        # Text position in page space: the text matrix's origin carried through the current matrix.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if layout.ADDRESS_WINDOW.contains(x - page_left, page_top - y):
            found.setdefault(round(y, 1), []).append((x, text))

    page.extract_text(visitor_text=visit)
    lines = []
    for y in sorted(found, reverse=True):
        line = " ".join(part.strip() for _, part in sorted(found[y]) if part.strip())
        if line:
            lines.append(line)
    return lines


def validate_pdf(pdf: bytes) -> ValidatedLetter:
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise PrecompiledLetterInvalid(NOT_A_PDF)
    try:
        reader = PdfReader(io.BytesIO(pdf), strict=False)
        if reader.is_encrypted:
            raise PrecompiledLetterInvalid(ENCRYPTED)
        pages = list(reader.pages)
        if not pages:
            raise PrecompiledLetterInvalid(NOT_A_PDF)
        if len(pages) > MAX_PAGES:
            raise PrecompiledLetterInvalid(TOO_MANY_PAGES)
        all_a4 = all(_is_a4_portrait(page) for page in pages)
        address = address_window_text(pages[0])
    except PrecompiledLetterInvalid:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        # pypdf raises a spread of errors on corrupt files; all of them mean "not a PDF we can print".
        raise PrecompiledLetterInvalid(NOT_A_PDF) from exc
    if not address:
        raise PrecompiledLetterInvalid(NO_ADDRESS)
    if len(address) < 3:
        raise PrecompiledLetterInvalid(TOO_FEW_ADDRESS_LINES)
    if len(address) > MAX_ADDRESS_LINES:
        raise PrecompiledLetterInvalid(TOO_MANY_ADDRESS_LINES)
    if not UK_POSTCODE.match(re.sub(r"\s+", "", address[-1]).upper()):
        raise PrecompiledLetterInvalid(NO_POSTCODE)
    return ValidatedLetter(pdf=pdf, page_count=len(pages), address_lines=tuple(address),
                           print_problem=None if all_a4 else NOT_A4)


def validate_precompiled(content: str) -> ValidatedLetter:
    """Decode and validate the `content` of a precompiled letter request."""
    return validate_pdf(decode_content(content))
