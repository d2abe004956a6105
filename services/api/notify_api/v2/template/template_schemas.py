"""Schemas for /v2/template/{id}, as Notify's (`app/v2/template/template_schemas.py`)."""
from __future__ import annotations

from ..definitions import personalisation, uuid

# Versions are PostgreSQL integers: a larger number can only be unknown, and must not reach the database.
MAX_VERSION = 2_147_483_647

get_template_by_id_request = {
    "type": "object",
    "properties": {"id": uuid, "version": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_VERSION}},
    "required": ["id"],
    "additionalProperties": False,
}

# Notify's preview schema allows other keys beside personalisation; they are ignored.
post_template_preview_request = {
    "type": "object",
    "title": "POST v2/template/{id}/preview",
    "properties": {"id": uuid, "personalisation": personalisation},
    "required": ["id"],
}
