"""POST /v2/notifications/{sms,email,letter}."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.exceptions import BadRequest

from notify_shared import statuses
from notify_shared.errors import BadRequestError

from ...auth import current_caller
from ...context import api_context
from ...notifications import sending
from ...request_context import current_request_id
from ...schema_validation import validate
from . import notifications_blueprint
from .notification_schemas import post_email_request, post_letter_request, post_sms_request


def get_valid_json() -> Any:
    # Notify parses with force=True, so the Content-Type header is not checked, and treats an empty JSON
    # value as {} (the schema then names the missing fields).
    try:
        body = request.get_json(force=True)
    except BadRequest as exc:
        raise BadRequestError("Invalid JSON supplied in POST data") from exc
    return body or {}


@notifications_blueprint.route("/sms", methods=["POST"])
def post_sms_notification():
    form = validate(get_valid_json(), post_sms_request)
    body = sending.send_sms(api_context(), current_caller(), form, url_root=request.host_url,
                            request_id=current_request_id())
    return jsonify(body), 201


@notifications_blueprint.route("/email", methods=["POST"])
def post_email_notification():
    form = validate(get_valid_json(), post_email_request)
    body = sending.send_email(api_context(), current_caller(), form, url_root=request.host_url,
                              request_id=current_request_id())
    return jsonify(body), 201


@notifications_blueprint.route("/letter", methods=["POST"])
def post_letter_notification():
    data = get_valid_json()
    if isinstance(data, dict) and "content" in data:
        # A precompiled PDF letter (recognised by `content`, as Notify does) needs PDF validation and
        # rendering services this platform does not run yet.
        sending.check_service_permission(current_caller(), statuses.LETTER)
        raise BadRequestError("Precompiled letters are not supported by this server")
    form = validate(data, post_letter_request)
    body = sending.send_letter(api_context(), current_caller(), form, url_root=request.host_url,
                               request_id=current_request_id())
    return jsonify(body), 201
