"""POST /firetext: Firetext's form send API, as Notify's Firetext client calls it, and its receipt.

Notify posts the form {apiKey, from, to, message, reference: <notification id>[, receipt]} and needs
JSON with "code": 0 (app/clients/sms/firetext.py). Receipts are form posts {mobile, status, time,
reference, code}: status "0" delivered, "1" declined (the `code` decides permanent or temporary),
"2" undelivered/pending. A temporary failure is sent as Notify's research mode did: "2" (pending)
first, then "1" with code 102 ("Absent Subscriber", a temporary failure in Notify's firetext_codes).
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from .context import SimulatorContext
from .outcomes import Outcome, provider_local_time, sms_outcome
from .receipts import Receipt

PROVIDER = "firetext"
RECEIPT_PATH = "/notifications/sms/firetext"
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
REQUIRED_FIELDS = ("from", "to", "message", "reference")


def _receipt(reference: str, mobile: str, status: str, code: str) -> Receipt:
    return Receipt(
        path=RECEIPT_PATH,
        description=f"firetext:{reference}",
        form_body={"mobile": mobile, "status": status, "time": provider_local_time(), "reference": reference,
                   "code": code},
        headers=FORM_HEADERS,
    )


def firetext_receipts(reference: str, mobile: str) -> list[Receipt]:
    outcome = sms_outcome(mobile)
    if outcome is Outcome.PERMANENT_FAILURE:
        return [_receipt(reference, mobile, "1", "101")]  # Unknown Subscriber
    if outcome is Outcome.TEMPORARY_FAILURE:
        return [_receipt(reference, mobile, "2", "102"), _receipt(reference, mobile, "1", "102")]
    return [_receipt(reference, mobile, "0", "000")]


def firetext_blueprint(sim: SimulatorContext) -> Blueprint:
    bp = Blueprint("firetext", __name__)

    @bp.post("/firetext")
    def send_sms():
        form = request.form
        if not form.get("apiKey"):
            # Firetext answers bad credentials with a non-zero code rather than an HTTP error.
            return jsonify(code=1, description="Authentication error")
        missing = [f for f in REQUIRED_FIELDS if not form.get(f)]
        if missing:
            return jsonify(code=7, description=f"Missing {', '.join(missing)}")

        failure = sim.injected_failure(PROVIDER)
        if failure is not None:
            return jsonify(code=-1, description="Simulated provider failure"), failure

        reference = form["reference"]
        mobile = form["to"]
        sim.sends.record_send(PROVIDER, reference, reference, {k: v for k, v in form.items() if k != "apiKey"})
        sim.post_receipts(*firetext_receipts(reference, mobile))
        return jsonify(code=0, description="SMS successfully queued")

    return bp
