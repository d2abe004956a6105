"""A templated letter rendered to an A4 PDF, laid out the way Notify prints letters.

Page one: the service's contact block top right, the recipient's address in the envelope window, the
date, then the subject as a heading and the body. Body formatting follows Notify's letter markup:
blank-line separated paragraphs, `# ` headings, `* ` / `- ` bullet lists and `***` page breaks.
Every page carries "Page N of M" at the foot.
"""
from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    ListFlowable,
    ListItem,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)

from . import layout

FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"
BODY = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=15, spaceAfter=8)
HEADING = ParagraphStyle("heading", parent=BODY, fontName=FONT_BOLD, fontSize=12, spaceBefore=4, spaceAfter=6)
SUBJECT = ParagraphStyle("subject", parent=BODY, fontName=FONT_BOLD, fontSize=14, leading=18, spaceAfter=10)
ADDRESS_FONT_SIZE = 10
ADDRESS_LEADING = 12.5
CONTACT_FONT_SIZE = 9
CONTACT_LEADING = 11


@dataclass(frozen=True)
class LetterContent:
    """Everything on the letter, placeholders already filled in."""

    address_lines: Sequence[str]
    subject: str
    body: str
    contact_block: str | None = None
    date: date | None = None


def sheets(page_count: int) -> int:
    """Sheets of paper for billing: letters are printed double-sided, two pages to a sheet."""
    return max(1, math.ceil(page_count / 2))


def _inline(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def body_flowables(body: str) -> list[Flowable]:
    """Notify's letter markup to flowables: paragraphs, `#` headings, bullet lists, `***` page breaks."""
    flowables: list[Flowable] = []
    paragraph: list[str] = []
    bullets: list[str] = []

    def flush() -> None:
        if paragraph:
            flowables.append(Paragraph(_inline("\n".join(paragraph)), BODY))
            paragraph.clear()
        if bullets:
            items = [ListItem(Paragraph(_inline(item), BODY), leftIndent=14) for item in bullets]
            flowables.append(ListFlowable(items, bulletType="bullet", start="•", leftIndent=14))
            bullets.clear()

    for raw in body.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line == "***":
            flush()
            flowables.append(PageBreak())
        elif line.startswith("#"):
            flush()
            flowables.append(Paragraph(_inline(line.lstrip("#").strip()), HEADING))
        elif line[:2] in ("* ", "- ", "• "):
            if paragraph:
                flush()
            bullets.append(line[2:].strip())
        else:
            if bullets:
                flush()
            paragraph.append(line)
    flush()
    return flowables


class _NumberedCanvas(pdf_canvas.Canvas):
    """Holds pages back until the end so each can say "Page N of M"."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(FONT, 9)
            self.drawCentredString(layout.PAGE_WIDTH / 2, layout.PAGE_NUMBER_FROM_BOTTOM, f"Page {number} of {total}")
            super().showPage()
        super().save()


def _draw_lines(canvas: pdf_canvas.Canvas, box: layout.Box, lines: Sequence[str], size: float, leading: float,
                *, align_right: bool = False) -> None:
    canvas.setFont(FONT, size)
    y = layout.PAGE_HEIGHT - box.top - size
    for line in lines:
        if align_right:
            canvas.drawRightString(box.right, y, line)
        else:
            canvas.drawString(box.left, y, line)
        y -= leading


def render_letter_pdf(letter: LetterContent) -> bytes:
    """The letter as PDF bytes."""
    out = io.BytesIO()
    width = layout.PAGE_WIDTH - layout.MARGIN_LEFT - layout.MARGIN_RIGHT
    first = Frame(layout.MARGIN_LEFT, layout.BODY_BOTTOM_MARGIN, width,
                  layout.PAGE_HEIGHT - layout.FIRST_PAGE_BODY_TOP - layout.BODY_BOTTOM_MARGIN, id="first",
                  leftPadding=0, rightPadding=0)
    later = Frame(layout.MARGIN_LEFT, layout.BODY_BOTTOM_MARGIN, width,
                  layout.PAGE_HEIGHT - layout.LATER_PAGE_BODY_TOP - layout.BODY_BOTTOM_MARGIN, id="later",
                  leftPadding=0, rightPadding=0)
    contact_lines = (letter.contact_block or "").splitlines()
    letter_date = (letter.date or date.today()).strftime("%-d %B %Y")

    def first_page(canvas: pdf_canvas.Canvas, _doc) -> None:
        canvas.saveState()
        _draw_lines(canvas, layout.CONTACT_BLOCK, [*contact_lines, "", letter_date], CONTACT_FONT_SIZE,
                    CONTACT_LEADING, align_right=True)
        _draw_lines(canvas, layout.ADDRESS_WINDOW, list(letter.address_lines), ADDRESS_FONT_SIZE, ADDRESS_LEADING)
        canvas.restoreState()

    doc = BaseDocTemplate(out, pagesize=A4, title=letter.subject, author="notify",
                          pageTemplates=[PageTemplate("first", [first], onPage=first_page),
                                         PageTemplate("later", [later])])
    story: list[Flowable] = [NextPageTemplate("later"), Paragraph(_inline(letter.subject), SUBJECT), Spacer(1, 2)]
    story.extend(body_flowables(letter.body))
    doc.build(story, canvasmaker=_NumberedCanvas)
    return out.getvalue()
