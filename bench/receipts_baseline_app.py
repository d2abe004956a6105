"""The webhook benchmark's baseline: the least a receipt endpoint can do, under the same gunicorn settings.

It parses the JSON body and publishes one envelope with the same Bus (pooled connection and producer,
the queue built once), with no validation, authentication, request id, health middleware or logging,
so the ratio to it shows what the real status-receiver costs on top of the publish itself.
Served by `python -m gunicorn -c python:notify_status_receiver.gunicorn_config receipts_baseline_app:application`.
"""
from __future__ import annotations

from flask import Flask, request

from notify_shared import queues
from notify_shared.bus import Bus
from notify_shared.config import Settings
from notify_shared.envelope import Envelope

bus = Bus(Settings.from_env("receipts-baseline"))
queue = bus.queue(queues.DELIVERY_RECEIPTS)  # built once, as the real webhook does
application = Flask(__name__)


@application.post("/notifications/sms/mmg")
def publish_only():
    body = request.get_json(force=True, silent=True) or {}
    bus.publish_to(queue, Envelope(kind="sms-receipt", notification_id=body.get("CID"),
                                   payload={"provider": "mmg", "status": body.get("status")}))
    return "ok"
