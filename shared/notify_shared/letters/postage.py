"""Postage classes and which one a letter goes with (Notify: `first`, `second`, `economy`)."""
from __future__ import annotations

FIRST = "first"
SECOND = "second"
ECONOMY = "economy"
UK_POSTAGE = (FIRST, SECOND, ECONOMY)
DEFAULT_POSTAGE = SECOND

INVALID_POSTAGE_MESSAGE = "postage invalid. It must be either first, second or economy."


class InvalidPostage(ValueError):
    pass


def is_valid(postage: str | None) -> bool:
    return postage in UK_POSTAGE


def choose_postage(requested: str | None, template_postage: str | None = None) -> str:
    """The postage a letter is sent with: the caller's choice, else the template's, else second class.

    Precompiled letters carry their own `postage` in the request; templated letters take the template's.
    """
    if requested is not None:
        if not is_valid(requested):
            raise InvalidPostage(INVALID_POSTAGE_MESSAGE)
        return requested
    if template_postage is not None and is_valid(template_postage):
        return template_postage
    return DEFAULT_POSTAGE
