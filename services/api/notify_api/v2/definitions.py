"""JSON Schema pieces every v2 request schema shares, with Notify's validation messages
(notifications-api `app/schema_validation/definitions.py`)."""
from __future__ import annotations

uuid = {"type": "string", "format": "validate_uuid", "validationMessage": "is not a valid UUID"}

personalisation = {"type": "object", "validationMessage": "should contain key value pairs"}
