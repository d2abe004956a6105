"""GET /v2/received-text-messages?older_than=: 250 a page (API_PAGE_SIZE), newest first."""
from __future__ import annotations

import uuid
from urllib.parse import urlencode

from flask import jsonify, request

from ...auth import current_caller
from ...context import api_context
from ...received_texts import reading
from ...schema_validation import validate
from . import received_texts_blueprint
from .received_text_schemas import get_received_texts_request


def _link(older_than: str | None = None) -> str:
    url = f"{request.host_url}v2/received-text-messages"
    return f"{url}?{urlencode({'older_than': older_than})}" if older_than else url


@received_texts_blueprint.route("", methods=["GET"])
def get_received_texts():
    # Only the first value of a repeated parameter counts, as in Notify (request.args.to_dict()).
    query = validate(request.args.to_dict(), get_received_texts_request)
    older_than = query.get("older_than")
    texts = reading.list_page(api_context(), current_caller(),
                              older_than=uuid.UUID(older_than) if older_than else None)
    # As in Notify, `current` is the bare endpoint and `next` carries only the cursor: the official
    # client's iterator takes the first UUID in `next` as the next cursor.
    links = {"current": _link()}
    if texts:
        links["next"] = _link(texts[-1]["id"])
    return jsonify(received_text_messages=texts, links=links), 200
