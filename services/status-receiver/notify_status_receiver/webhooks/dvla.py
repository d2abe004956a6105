"""POST /notifications/letter/dvla: the print provider's letter callbacks (JSON).

Body: {"id": <notification id>, "status": "delivered" | "technical-failure"}. DVLA's own job statuses
(`DESPATCHED`, `REJECTED`, Notify's app/notifications/notifications_letter_callback.py) are accepted as
well and mapped the same way (mapping.map_dvla).
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, jsonify, request

from notify_shared.envelope import Envelope

from ..mapping import DVLA
from .common import BasicAuth, CallbackValidationError, ReceiptPublisher, as_uuid, request_id, require_fields

CLIENT_NAME = "DVLA"


def dvla_blueprint(publisher: ReceiptPublisher, auth: BasicAuth) -> Blueprint:
    bp = Blueprint("dvla_receipts", __name__)

    @bp.post("/notifications/letter/dvla")
    def receive_dvla_callback():
        auth.check()
        try:
            data = json.loads(request.get_data(cache=False) or b"null")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise CallbackValidationError([f"{CLIENT_NAME} callback failed: invalid json"])
        require_fields(data, ["id", "status"], CLIENT_NAME)
        notification_id = as_uuid(data["id"])
        if notification_id is None:
            raise CallbackValidationError([f"{CLIENT_NAME} callback failed: id is not a valid UUID"])

        publisher.publish(Envelope(
            kind="letter-receipt",
            notification_id=notification_id,
            request_id=request_id(),
            payload={
                "provider": DVLA,
                "reference": notification_id,
                "status": str(data["status"]),
                "received_at": datetime.now(UTC).isoformat(),
            },
        ))
        return jsonify(result="success"), 200

    return bp
