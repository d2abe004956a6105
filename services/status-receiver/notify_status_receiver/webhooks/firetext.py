"""POST /notifications/sms/firetext: Firetext delivery receipts (form-encoded).

Form: mobile, status, time, reference (the notification id we sent), code. Notify requires `status`
and `reference` (app/notifications/notifications_sms_callback.py).
"""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, jsonify, request

from notify_shared.envelope import Envelope

from ..mapping import FIRETEXT
from .common import BasicAuth, ReceiptPublisher, as_uuid, request_id, require_fields, text_or_none

CLIENT_NAME = "Firetext"


def firetext_blueprint(publisher: ReceiptPublisher, auth: BasicAuth) -> Blueprint:
    bp = Blueprint("firetext_receipts", __name__)

    @bp.post("/notifications/sms/firetext")
    def receive_firetext_receipt():
        auth.check()
        form = request.form
        require_fields(form, ["status", "reference"], CLIENT_NAME)

        reference = form["reference"]
        publisher.publish(Envelope(
            kind="sms-receipt",
            notification_id=as_uuid(reference),
            request_id=request_id(),
            payload={
                "provider": FIRETEXT,
                "reference": reference,
                "status": form["status"],
                "code": text_or_none(form.get("code")),
                "provider_timestamp": text_or_none(form.get("time")),
                "received_at": datetime.now(UTC).isoformat(),
            },
        ))
        return jsonify(result="success"), 200

    return bp
