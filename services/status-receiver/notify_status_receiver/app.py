"""The receipt webhooks as a Flask app: one blueprint per provider, errors in Notify's envelope."""
from __future__ import annotations

import uuid

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from notify_shared import logging as notify_logging
from notify_shared.bus import Bus
from notify_shared.config import Settings
from notify_shared.crypto import SecretBox
from notify_shared.errors import InternalServerError, NotifyError

from .config import ReceiverConfig
from .sns import CertificateSource, HttpCertificateSource, SnsVerifier
from .webhooks.common import BasicAuth, ReceiptPublisher
from .webhooks.dvla import dvla_blueprint
from .webhooks.firetext import firetext_blueprint
from .webhooks.inbound import InboundSmsPublisher
from .webhooks.inbound_firetext import firetext_inbound_blueprint
from .webhooks.inbound_mmg import mmg_inbound_blueprint
from .webhooks.mmg import mmg_blueprint
from .webhooks.ses import SesWebhook, ses_blueprint

log = notify_logging.get_logger(__name__)

_HTTP_ERROR_NAMES = {404: "NotFound", 405: "MethodNotAllowed", 413: "RequestEntityTooLarge"}


def create_app(settings: Settings | None = None, *, bus: Bus | None = None, config: ReceiverConfig | None = None,
               certificates: CertificateSource | None = None) -> Flask:
    settings = settings or Settings.from_env("status-receiver")
    config = config or ReceiverConfig.from_env(settings)
    bus = bus or Bus(settings)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_request_bytes
    app.json.sort_keys = False

    publisher = ReceiptPublisher(bus)
    sms_auth = BasicAuth(config.sms_receipt_basic_auth)
    verifier = SnsVerifier(certificates or HttpCertificateSource(config.sns_http_timeout_seconds))
    app.register_blueprint(mmg_blueprint(publisher, sms_auth))
    app.register_blueprint(firetext_blueprint(publisher, sms_auth))
    app.register_blueprint(ses_blueprint(SesWebhook(publisher, config, verifier)))
    app.register_blueprint(dvla_blueprint(publisher, sms_auth))

    inbound = InboundSmsPublisher(bus, SecretBox(settings.secret_key))
    if not (config.mmg_inbound_auth and config.firetext_inbound_auth):
        log.warning("inbound_sms_auth_not_configured", mmg=bool(config.mmg_inbound_auth),
                    firetext=bool(config.firetext_inbound_auth))
    app.register_blueprint(mmg_inbound_blueprint(inbound, BasicAuth(config.mmg_inbound_auth, required=True)))
    app.register_blueprint(firetext_inbound_blueprint(inbound, BasicAuth(config.firetext_inbound_auth,
                                                                         required=True)))

    @app.before_request
    def _bind_request_id() -> None:
        rid = request.headers.get("X-Request-Id") or str(uuid.uuid4())
        request.environ["notify.request_id"] = rid
        notify_logging.clear()
        notify_logging.bind(service=settings.service_name, request_id=rid)

    @app.errorhandler(NotifyError)
    def _notify_error(error: NotifyError):
        if error.status_code >= 500:
            log.error("request_failed", path=request.path, status=error.status_code, error=error.message)
        else:
            log.info("request_rejected", path=request.path, status=error.status_code, errors=error.errors())
        return jsonify(error.to_body()), error.status_code, error.headers

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        name = _HTTP_ERROR_NAMES.get(status, "BadRequestError")
        body = NotifyError(error.description or error.name, status_code=status, error=name).to_body()
        return jsonify(body), status

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        # No stack traces in responses; the log line has it.
        log.exception("request_crashed", path=request.path, error=type(error).__name__)
        failure = InternalServerError()
        return jsonify(failure.to_body()), failure.status_code

    return app
