"""Query schema for GET /v2/received-text-messages, as Notify's (`get_inbound_sms_request`)."""
from __future__ import annotations

from ..definitions import uuid

get_received_texts_request = {
    "type": "object",
    "properties": {"older_than": uuid},
    "additionalProperties": False,
}
