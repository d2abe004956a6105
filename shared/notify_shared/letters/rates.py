"""What a letter costs: a price per letter by postage class and sheets of paper, as GOV.UK Notify charges.

Notify prices a letter, printing and postage together, by how many sheets of paper it uses (1 to 5: a
letter is at most 10 pages, printed double-sided) and its postage class, excluding VAT. The figures are
Notify's published 2024/25 rates: first and second class from 1 July 2024 (notifications-api migration
0460_letter_rates_july_2024), and economy mail as first priced (April 2025). Notify changes its rates
every year or so; a deployment that bills from these must update this table when it does.
"""
from __future__ import annotations

from .postage import ECONOMY, FIRST, SECOND

RATES_DESCRIPTION = "GOV.UK Notify 2024/25 letter rates (first/second from 1 July 2024, economy April 2025)"

# postage → pounds for 1, 2, 3, 4 and 5 sheets.
LETTER_RATES: dict[str, tuple[float, ...]] = {
    FIRST: (0.97, 1.01, 1.05, 1.11, 1.15),
    SECOND: (0.61, 0.65, 0.68, 0.75, 0.79),
    ECONOMY: (0.59, 0.64, 0.68, 0.73, 0.78),
}
MAX_PRICED_SHEETS = 5


def letter_rate(postage: str, sheets: int) -> float | None:
    """The price of one letter, or None when it is not priced (unknown postage, 0 or more than 5 sheets)."""
    rates = LETTER_RATES.get(postage)
    if rates is None or not 1 <= sheets <= MAX_PRICED_SHEETS:
        return None
    return rates[sheets - 1]

