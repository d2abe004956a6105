"""POST /notifications/sms/receive/mmg: texts sent by the public to a service's MMG inbound number.

JSON body (Notify's app/notifications/receive_notifications.py): {"MSISDN": sender, "Number": our
inbound number, "Message": URL-encoded text, "ID": MMG's id, "DateRecieved": URL-encoded UK local
time}. `DateRecieved` is MMG's spelling; `DateReceived` is accepted too. Notify answers `RECEIVED`.
"""
from __future__ import annotations

import json

from flask import Blueprint, request

from ..inbound_messages import format_mmg_message, format_user_number, parse_provider_date
from ..mapping import MMG
from .common import BasicAuth, CallbackValidationError, require_fields, text_or_none
from .inbound import InboundSmsPublisher

CLIENT_NAME = "MMG inbound SMS"


def mmg_inbound_blueprint(publisher: InboundSmsPublisher, auth: BasicAuth) -> Blueprint:
    bp = Blueprint("mmg_inbound_sms", __name__)

    @bp.post("/notifications/sms/receive/mmg")
    def receive_mmg_sms():
        auth.check()
        try:
            data = json.loads(request.get_data(cache=False) or b"null")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise CallbackValidationError([f"{CLIENT_NAME} callback failed: invalid json"])
        require_fields(data, ["Number", "MSISDN"], CLIENT_NAME)
        if not isinstance(data.get("Message"), str):
            # An empty text is still a text; only an absent one is an error.
            raise CallbackValidationError([f"{CLIENT_NAME} callback failed: Message missing"])

        publisher.publish(
            provider=MMG,
            notify_number=str(data["Number"]),
            user_number=format_user_number(str(data["MSISDN"])),
            content=format_mmg_message(data["Message"]),
            provider_reference=text_or_none(data.get("ID")),
            provider_date=parse_provider_date(text_or_none(data.get("DateRecieved") or data.get("DateReceived"))),
        )
        return "RECEIVED", 200, {"Content-Type": "text/plain; charset=utf-8"}

    return bp
