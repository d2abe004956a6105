"""Query schema for GET /v2/templates, as Notify's."""
from __future__ import annotations

from notify_shared.statuses import NOTIFICATION_TYPES

get_all_templates_request = {
    "type": "object",
    "properties": {"type": {"enum": list(NOTIFICATION_TYPES)}},
    "additionalProperties": False,
}
