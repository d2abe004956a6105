"""Where things sit on an A4 letter page, shared by the renderer and the precompiled validator.

The address must show through the envelope window, so rendering puts it here and validation reads it
from here. Positions are in points from the page's top-left corner (1 mm = 72 / 25.4 pt).
"""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

PAGE_WIDTH, PAGE_HEIGHT = A4
# A4 measured with a couple of points' slack: PDFs written by other tools round sizes differently.
A4_TOLERANCE_POINTS = 3.0


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def contains(self, x_from_left: float, y_from_top: float, slack: float = 2.0) -> bool:
        # Slack: text drawn exactly on the edge comes back from PDF parsers a rounding error outside it.
        return (self.left - slack <= x_from_left <= self.right + slack
                and self.top - slack <= y_from_top <= self.bottom + slack)


# The envelope window of a C5 window envelope as Notify's letter specification places the address
# (24.6 mm from the left, 39.5 mm from the top); tall enough for the 7 lines an address may have.
ADDRESS_WINDOW = Box(left=24.6 * mm, top=39.5 * mm, width=95.9 * mm, height=32.0 * mm)
# The service's contact block sits top right, clear of the window.
CONTACT_BLOCK = Box(left=125 * mm, top=24 * mm, width=65 * mm, height=50 * mm)
MARGIN_LEFT = 24.6 * mm
MARGIN_RIGHT = 20 * mm
FIRST_PAGE_BODY_TOP = 95 * mm
LATER_PAGE_BODY_TOP = 20 * mm
BODY_BOTTOM_MARGIN = 25 * mm
PAGE_NUMBER_FROM_BOTTOM = 12 * mm
