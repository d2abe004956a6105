"""Reading a v2 request body the way Notify does, plus the text rules PostgreSQL and UTF-8 impose."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest

from notify_shared.errors import BadRequestError, ValidationError

INVALID_JSON = "Invalid JSON supplied in POST data"
NUL_CHARACTERS = "Request body must not contain NUL characters"

# Raw UTF-8 cannot carry NUL inside a JSON string or a lone surrogate, only `\u` escapes can, so a body is
# walked for them only when such an escape appears.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def _strings(value: Any) -> Iterator[str]:
    """Every string in a parsed JSON value, keys included."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _check_text(body: Any) -> None:
    for text in _strings(body):
        if "\x00" in text:
            # PostgreSQL text cannot hold NUL.
            raise ValidationError(NUL_CHARACTERS)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            # A lone surrogate: not Unicode text, so it cannot be stored, sent or shown.
            raise BadRequestError(INVALID_JSON) from exc


def get_valid_json() -> Any:
    # Notify parses with force=True, so the Content-Type header is not checked, and treats an empty JSON
    # value as {} (the schema then names the missing fields). Bytes that are not UTF-8 are bad JSON too.
    try:
        body = request.get_json(force=True)
    except BadRequest as exc:
        raise BadRequestError(INVALID_JSON) from exc
    except RecursionError as exc:
        # Nesting deeper than Python's JSON parser recurses.
        raise BadRequestError(INVALID_JSON) from exc
    if _SUSPECT_ESCAPE.search(request.get_data(cache=True)):
        _check_text(body)
    return body or {}
