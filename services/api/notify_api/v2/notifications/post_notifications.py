"""POST /v2/notifications/{sms,email,letter}."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import jsonify, request

from notify_shared import statuses

from ...api_keys import Caller
from ...auth import current_caller
from ...context import api_context
from ...limits import daily_limits
from ...limits.daily_limits import SentToday
from ...limits.rate_limit import check_rate_limit
from ...notifications import precompiled, sending
from ...request_context import current_request_id
from ...schema_validation import validate
from ..request_body import get_valid_json
from . import notifications_blueprint
from .notification_schemas import (
    post_email_request,
    post_letter_request,
    post_precompiled_letter_request,
    post_sms_request,
)


def _rate_limited_caller(notification_type: str) -> tuple[Caller, SentToday | None]:
    # Before the body is read or parsed, so a flood over the limit costs no JSON work (Notify's order). The
    # same Redis round trip reads today's counts for the daily limit, checked later in `sending`, and counts
    # this send, given back below if it is refused.
    caller = current_caller()
    return caller, check_rate_limit(api_context().limits, caller, notification_type)


@contextmanager
def _released_on_failure(caller: Caller, sent_today: SentToday | None) -> Iterator[None]:
    try:
        yield
    except BaseException:
        daily_limits.release(api_context().limits, caller, sent_today)
        raise


@notifications_blueprint.route("/sms", methods=["POST"])
def post_sms_notification():
    caller, sent_today = _rate_limited_caller(statuses.SMS)
    with _released_on_failure(caller, sent_today):
        form = validate(get_valid_json(), post_sms_request)
        body = sending.send_sms(api_context(), caller, form, url_root=request.host_url, sent_today=sent_today,
                                request_id=current_request_id())
    return jsonify(body), 201


@notifications_blueprint.route("/email", methods=["POST"])
def post_email_notification():
    caller, sent_today = _rate_limited_caller(statuses.EMAIL)
    with _released_on_failure(caller, sent_today):
        form = validate(get_valid_json(), post_email_request)
        body = sending.send_email(api_context(), caller, form, url_root=request.host_url, sent_today=sent_today,
                                  request_id=current_request_id())
    return jsonify(body), 201


@notifications_blueprint.route("/letter", methods=["POST"])
def post_letter_notification():
    caller, sent_today = _rate_limited_caller(statuses.LETTER)
    with _released_on_failure(caller, sent_today):
        data = get_valid_json()
        if isinstance(data, dict) and "content" in data:
            # A precompiled PDF letter, recognised by `content` as Notify does.
            form = validate(data, post_precompiled_letter_request)
            body = precompiled.send_precompiled_letter(api_context(), caller, form, sent_today=sent_today,
                                                       request_id=current_request_id())
            return jsonify(body), 201
        form = validate(data, post_letter_request)
        body = sending.send_letter(api_context(), caller, form, url_root=request.host_url, sent_today=sent_today,
                                   request_id=current_request_id())
    return jsonify(body), 201
