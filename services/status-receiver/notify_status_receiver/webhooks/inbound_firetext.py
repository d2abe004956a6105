"""POST /notifications/sms/receive/firetext: texts sent by the public to a service's Firetext number.

Form body (Notify's app/notifications/receive_notifications.py): source (sender), destination (our
inbound number), message (plain text), time (UK local time). Notify answers {"status": "ok"}.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..inbound_messages import format_user_number, parse_provider_date
from ..mapping import FIRETEXT
from .common import BasicAuth, CallbackValidationError, require_fields, text_or_none
from .inbound import InboundSmsPublisher

CLIENT_NAME = "Firetext inbound SMS"


def firetext_inbound_blueprint(publisher: InboundSmsPublisher, auth: BasicAuth) -> Blueprint:
    bp = Blueprint("firetext_inbound_sms", __name__)

    @bp.post("/notifications/sms/receive/firetext")
    def receive_firetext_sms():
        auth.check()
        form = request.form
        require_fields(form, ["source", "destination"], CLIENT_NAME)
        if "message" not in form:
            raise CallbackValidationError([f"{CLIENT_NAME} callback failed: message missing"])

        publisher.publish(
            provider=FIRETEXT,
            notify_number=form["destination"],
            user_number=format_user_number(form["source"]),
            content=form["message"],
            provider_reference=None,
            provider_date=parse_provider_date(text_or_none(form.get("time"))),
        )
        return jsonify(status="ok"), 200

    return bp
