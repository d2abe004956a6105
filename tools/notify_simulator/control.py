"""Endpoints for tests and benchmarks: counts, reset, run-time behaviour, liveness."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from .context import SimulatorContext
from .state import ConfigError


def control_blueprint(sim: SimulatorContext) -> Blueprint:
    bp = Blueprint("control", __name__)

    @bp.get("/_status/live")
    def live():
        return jsonify(status="ok")

    @bp.get("/_stats")
    def stats():
        """{"sends": {<notification id or reference>: count}, "total": N, ...}: accepted hand-overs only.

        `?brief=true` leaves out "sends" (cheap to poll during a benchmark); "distinct" and
        "most_for_one_id" still show whether any id was handed over twice.
        """
        body = sim.sends.stats(brief=request.args.get("brief", "").lower() in {"1", "true", "yes"})
        body["receipts"] = {"pending": sim.receipts.pending(), "posted": sim.receipts.posted,
                            "dropped": sim.receipts.dropped}
        return jsonify(body)

    @bp.get("/_messages")
    def messages():
        """The most recent accepted requests, optionally for one id (?id=<notification id>)."""
        return jsonify(messages=sim.sends.messages(request.args.get("id")))

    @bp.post("/_reset")
    def reset():
        """Clear counts and recorded messages; with {"config": true} also restore start-up behaviour."""
        body = request.get_json(silent=True) or {}
        sim.sends.reset()
        if isinstance(body, dict) and body.get("config"):
            sim.state.reset()
        return jsonify(result="reset", config=sim.state.snapshot())

    @bp.get("/_config")
    def get_config():
        return jsonify(sim.state.snapshot())

    @bp.post("/_config")
    def set_config():
        try:
            return jsonify(sim.state.update(request.get_json(silent=True)))
        except ConfigError as exc:
            return jsonify(error=str(exc)), 400

    return bp
