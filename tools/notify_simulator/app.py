"""The simulator's WSGI app and its threaded server."""
from __future__ import annotations

import signal
import threading

from flask import Flask, jsonify

from notify_shared.logging import configure_logging, get_logger

from .context import SimulatorContext
from .control import control_blueprint
from .firetext import firetext_blueprint
from .mmg import mmg_blueprint
from .print_provider import print_provider_blueprint
from .receipts import ReceiptPoster
from .server import KeepAliveServer
from .ses import ses_blueprint
from .settings import SimulatorSettings
from .state import RuntimeState, SendLog

log = get_logger(__name__)


def create_app(settings: SimulatorSettings) -> tuple[Flask, SimulatorContext]:
    poster = ReceiptPoster(settings.receipt_base_url, workers=settings.receipt_workers,
                           max_attempts=settings.receipt_max_attempts,
                           timeout_seconds=settings.receipt_timeout_seconds)
    sim = SimulatorContext(settings, RuntimeState(settings), SendLog(settings.message_log_size), poster)
    app = Flask("notify_simulator")
    for blueprint in (mmg_blueprint(sim), firetext_blueprint(sim), ses_blueprint(sim), control_blueprint(sim),
                      print_provider_blueprint(sim)):
        app.register_blueprint(blueprint)

    @app.errorhandler(404)
    def not_found(_error):
        return jsonify(error="not found"), 404

    @app.errorhandler(405)
    def method_not_allowed(_error):
        return jsonify(error="method not allowed"), 405

    return app, sim


def serve(settings: SimulatorSettings) -> None:
    configure_logging("simulator", settings.log_format, settings.log_level)
    app, sim = create_app(settings)
    sim.receipts.start()
    # A thread per connection: benchmarks hold many keep-alive connections at 100 ms+ latency.
    server = KeepAliveServer(settings.host, settings.port, app)
    stop = threading.Event()

    def _stop(signum, _frame):
        log.info("simulator_stopping", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    thread.start()
    log.info("simulator_started", host=settings.host, port=server.server_port,
             receipt_base_url=_without_credentials(settings.receipt_base_url),
             receipt_delay_seconds=settings.receipt_delay_seconds, latency_ms=settings.latency_ms,
             failure_rate=settings.failure_rate)
    stop.wait()
    server.shutdown()
    sim.receipts.stop()


def _without_credentials(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    host = rest.split("@", 1)[-1]
    return f"{scheme}{sep}{host}" if sep else url
