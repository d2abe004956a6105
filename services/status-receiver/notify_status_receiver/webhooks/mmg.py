"""POST /notifications/sms/mmg: MMG delivery receipts (JSON).

Body: {"reference", "CID" (the notification id we sent as `cid`), "MSISDN", "status", "substatus",
"deliverytime"}. Notify requires `status` and `CID` (app/notifications/notifications_sms_callback.py).
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, jsonify, request

from notify_shared.envelope import Envelope

from ..mapping import MMG
from .common import (
    BasicAuth,
    CallbackValidationError,
    ReceiptPublisher,
    as_uuid,
    request_id,
    require_fields,
    text_or_none,
)

CLIENT_NAME = "MMG"


def mmg_blueprint(publisher: ReceiptPublisher, auth: BasicAuth) -> Blueprint:
    bp = Blueprint("mmg_receipts", __name__)

    @bp.post("/notifications/sms/mmg")
    def receive_mmg_receipt():
        auth.check()
        try:
            data = json.loads(request.get_data(cache=False) or b"null")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise CallbackValidationError([f"{CLIENT_NAME} callback failed: invalid json"])
        require_fields(data, ["status", "CID"], CLIENT_NAME)

        cid = str(data["CID"])
        publisher.publish(Envelope(
            kind="sms-receipt",
            notification_id=as_uuid(cid),
            request_id=request_id(),
            payload={
                "provider": MMG,
                "reference": cid,
                "status": str(data["status"]),
                "substatus": text_or_none(data.get("substatus")),
                "provider_timestamp": text_or_none(data.get("deliverytime")),
                "received_at": datetime.now(UTC).isoformat(),
            },
        ))
        return jsonify(result="success"), 200

    return bp
