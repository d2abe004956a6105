"""Validating an admin request body: the schema's checks, with a plain message for an update that changes
nothing (jsonschema's own, "{} should be non-empty", tells an operator little)."""
from __future__ import annotations

from typing import Any

from notify_shared.errors import ValidationError

from ..schema_validation import validate

NOTHING_TO_CHANGE = "The request must name at least one field to change"


def validated(body: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if schema.get("minProperties") and not body:
        raise ValidationError(NOTHING_TO_CHANGE)
    return validate(body, schema)
