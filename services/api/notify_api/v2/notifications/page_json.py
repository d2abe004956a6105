"""The listing's JSON body: the bytes Flask's jsonify writes, encoded by orjson when that gives the same bytes.

A page of 250 notifications is ~200 KB of JSON: the standard library's encoder takes ~1.5 ms of CPU for
it, orjson ~0.15 ms. The two differ only where this guard looks, so whenever they could differ the page
is encoded by Flask's own provider instead:

* non-ASCII text: Flask escapes it (\\u00e9), orjson writes UTF-8; and DEL (0x7f), which Flask escapes;
* floats below 1e-4 or from 1e16 up: Python writes 1e-05 and 1e+16, orjson 0.00001 and 1e16. A number
  token starting 0.0000 or holding an exponent sends the page to Flask (a string that merely looks like
  one only costs the fast path);
* anything orjson will not encode as Flask would (dates, dataclasses, integers beyond 64 bits, lone
  surrogates): orjson raises and Flask encodes.

NaN and infinite floats, which no notification field can hold, are the one difference not guarded.
"""
from __future__ import annotations

import re
from typing import Any

import orjson
from flask import Response, current_app
from flask.json.provider import DefaultJSONProvider

# A JSON number with an exponent, or a positional one below 1e-4, in compact output (after ':', '[' or ',').
_FLOAT_SPELLING_MAY_DIFFER = re.compile(rb"[:\[,]-?(?:0\.0000|\d[\d.]*[eE])")
_PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def _refuse(value: Any) -> Any:
    raise TypeError(type(value).__name__)


def _orjson_can_match(provider: Any) -> bool:
    """Flask writes compact, unsorted, ASCII-only JSON (the app's settings), which the guard above assumes;
    in debug mode it indents."""
    if not isinstance(provider, DefaultJSONProvider) or provider.sort_keys or not provider.ensure_ascii:
        return False
    return bool(provider.compact) or (provider.compact is None and not current_app.debug)


def json_response(body: dict[str, Any], status: int = 200) -> Response:
    """`jsonify(**body), status`, byte for byte."""
    provider = current_app.json
    encoded = None
    if _orjson_can_match(provider):
        try:
            encoded = orjson.dumps(body, default=_refuse, option=_PASSTHROUGH)
        except TypeError:
            encoded = None
    if encoded is None or not encoded.isascii() or b"\x7f" in encoded or _FLOAT_SPELLING_MAY_DIFFER.search(encoded):
        response = provider.response(body)
    else:
        response = current_app.response_class(encoded + b"\n", mimetype=provider.mimetype)
    response.status_code = status
    return response
