"""POST /mmg: MMG's JSON send API, as Notify's MMG client calls it, and MMG's delivery receipt.

Notify sends {"reqType": "BULK", "MSISDN", "msg", "sender", "cid": <notification id>, "multi": true}
with `Authorization: Basic <api key>` (the raw key, not base64) and needs a JSON answer
(app/clients/sms/mmg.py). Receipt status codes follow Notify's mmg_response_map: "3" delivered,
"4" temporary-failure, "2"/"5" permanent-failure, with substatus giving the reason.
"""
from __future__ import annotations

import json
import uuid

from flask import Blueprint, jsonify, request

from .context import SimulatorContext
from .outcomes import Outcome, provider_local_time, sms_outcome
from .receipts import Receipt

PROVIDER = "mmg"
RECEIPT_PATH = "/notifications/sms/mmg"

# (status, substatus): "Delivered to operator", "Absent Subscriber", "Incorrect number prefix".
RECEIPT_CODES = {
    Outcome.DELIVERED: ("3", "2"),
    Outcome.TEMPORARY_FAILURE: ("4", "6"),
    Outcome.PERMANENT_FAILURE: ("5", "8"),
}
REQUIRED_FIELDS = ("reqType", "MSISDN", "msg", "sender", "cid")


def mmg_receipt(mmg_reference: str, cid: str, msisdn: str) -> Receipt:
    status, substatus = RECEIPT_CODES[sms_outcome(msisdn)]
    return Receipt(
        path=RECEIPT_PATH,
        description=f"mmg:{cid}",
        json_body={
            "reference": mmg_reference,
            "CID": cid,
            "MSISDN": msisdn,
            "status": status,
            "substatus": substatus,
            "deliverytime": provider_local_time(),
        },
    )


def mmg_blueprint(sim: SimulatorContext) -> Blueprint:
    bp = Blueprint("mmg", __name__)

    @bp.post("/mmg")
    def send_sms():
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Basic" or not key.strip():
            return jsonify(Error="Authorization required", Status="401"), 401
        try:
            body = json.loads(request.get_data(cache=False) or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return jsonify(Error="Request body is not JSON", Status="400"), 400
        missing = [f for f in REQUIRED_FIELDS if not str(body.get(f) or "")]
        if missing:
            return jsonify(Error=f"Missing {', '.join(missing)}", Status="400"), 400

        failure = sim.injected_failure(PROVIDER)
        if failure is not None:
            return jsonify(Error="Simulated provider failure", Status=str(failure)), failure

        reference = str(uuid.uuid4())
        cid = str(body["cid"])
        msisdn = str(body["MSISDN"])
        sim.sends.record_send(PROVIDER, cid, reference, body)
        sim.post_receipts(mmg_receipt(reference, cid, msisdn))
        return jsonify(Reference=reference)

    return bp
