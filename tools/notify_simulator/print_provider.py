"""POST /dvla/print-job: a DVLA-style print API, and the print callback it sends when a letter is posted.

Semantics follow DVLA's print API as Notify uses it (app/clients/letter/dvla.py): a job is keyed by the
notification id, and submitting the same id again is refused with 409 without creating a second job,
which Notify treats as "already received" (a retried hand-over must not print a letter twice).
After the receipt delay the simulator POSTs {"id", "status"} to the status-receiver's
/notifications/letter/dvla: `delivered`, or `technical-failure` when the first address line asks
for it (a letter addressed to "technical-failure"), so tests can drive both outcomes.
The SMS/email failure and latency knobs (/_config providers) do not apply to the print provider.
"""
from __future__ import annotations

import json
import threading
import uuid

from flask import Blueprint, jsonify, request

from .context import SimulatorContext
from .receipts import Receipt

PROVIDER = "dvla"
CALLBACK_PATH = "/notifications/letter/dvla"
REQUIRED_FIELDS = ("id", "postage", "address", "pdf")
POSTAGE = ("first", "second", "economy")


def print_outcome(address: list[str]) -> str:
    return "technical-failure" if address and address[0].strip().lower() == "technical-failure" else "delivered"


def print_callback(notification_id: str, status: str) -> Receipt:
    return Receipt(path=CALLBACK_PATH, description=f"dvla:{notification_id}",
                   json_body={"id": notification_id, "status": status})


class PrintJobs:
    """Job ids already received; the provider never forgets one, so resubmission stays idempotent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: set[str] = set()

    def add(self, job_id: str) -> bool:
        """True when this id is new."""
        with self._lock:
            if job_id in self._ids:
                return False
            self._ids.add(job_id)
            return True


def print_provider_blueprint(sim: SimulatorContext) -> Blueprint:
    bp = Blueprint("print_provider", __name__)
    jobs = PrintJobs()

    @bp.post("/dvla/print-job")
    def submit_print_job():
        try:
            body = json.loads(request.get_data(cache=False) or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return jsonify(errors=[{"code": "BadRequest", "detail": "Request body is not JSON"}]), 400
        missing = [f for f in REQUIRED_FIELDS if not body.get(f)]
        if missing:
            return jsonify(errors=[{"code": "BadRequest", "detail": f"Missing {', '.join(missing)}"}]), 400
        if body["postage"] not in POSTAGE or not isinstance(body["address"], list):
            return jsonify(errors=[{"code": "BadRequest", "detail": "Invalid postage or address"}]), 400

        job_id = str(body["id"])
        if not jobs.add(job_id):
            return jsonify(errors=[{"code": "DuplicateJobId", "detail": "already received", "id": job_id}]), 409
        reference = str(uuid.uuid4())
        # The PDF itself is not kept: only its size, so /_messages stays small.
        sim.sends.record_send(PROVIDER, job_id, reference,
                              {k: v for k, v in body.items() if k != "pdf"} | {"pdf_bytes": len(body["pdf"])})
        sim.post_receipts(print_callback(job_id, print_outcome([str(line) for line in body["address"]])))
        return jsonify(id=job_id, jobId=reference, jobStatus="RECEIVED"), 201

    return bp
