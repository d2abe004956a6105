"""POST /notifications/email/ses: SES events delivered by an SNS HTTPS subscription.

The body is an SNS envelope (`Type`, `MessageId`, `TopicArn`, `Message`, `Timestamp`, signature
fields). `SubscriptionConfirmation` is confirmed by GETting its SubscribeURL; a `Notification`
carries the SES event as a JSON string in `Message` (`notificationType` for identity notifications,
`eventType` for configuration-set event publishing; `mail.messageId` is our provider reference).
Messages are authenticated by topic allow-list and, outside development, by SNS signature.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import Blueprint, jsonify, request

from notify_shared.envelope import Envelope
from notify_shared.errors import AuthError, ServiceUnavailableError
from notify_shared.logging import get_logger

from ..config import ReceiverConfig
from ..mapping import SES
from ..sns import SnsVerificationError, SnsVerifier
from .common import CallbackValidationError, ReceiptPublisher, request_id, require_fields, text_or_none

log = get_logger(__name__)

CLIENT_NAME = "SES"


def _invalid(reason: str) -> CallbackValidationError:
    return CallbackValidationError([f"{CLIENT_NAME} callback failed: {reason}"])


def _parse_json(raw: str | bytes | None) -> dict[str, Any]:
    try:
        data = json.loads(raw or "null")
    except (TypeError, ValueError):
        data = None
    if not isinstance(data, dict):
        raise _invalid("invalid json")
    return data


class SesWebhook:
    def __init__(self, publisher: ReceiptPublisher, config: ReceiverConfig, verifier: SnsVerifier):
        self.publisher = publisher
        self.config = config
        self.verifier = verifier

    def authenticate(self, sns: dict[str, Any]) -> None:
        topic = sns.get("TopicArn")
        if not self.config.accepts_any_ses_topic() and topic not in self.config.ses_sns_topic_arns:
            log.warning("ses_receipt_rejected_topic", topic=topic, sns_message_id=sns.get("MessageId"))
            raise AuthError(f"{CLIENT_NAME} callback failed: topic not allowed")
        if self.config.sns_verify_signatures:
            try:
                self.verifier.verify(sns)
            except SnsVerificationError as exc:
                log.warning("ses_receipt_rejected_signature", reason=str(exc), topic=topic,
                            sns_message_id=sns.get("MessageId"))
                raise AuthError(f"{CLIENT_NAME} callback failed: invalid SNS signature") from exc

    def confirm_subscription(self, sns: dict[str, Any]) -> None:
        require_fields(sns, ["SubscribeURL"], CLIENT_NAME)
        url = str(sns["SubscribeURL"])
        parts = urlsplit(url)
        schemes = {"https", "http"} if self.config.development else {"https"}
        # Only ever fetch from SNS itself: the URL comes from the request body.
        if parts.scheme not in schemes or parts.hostname not in self.config.sns_allowed_hosts:
            log.warning("sns_subscription_rejected_host", host=parts.hostname, topic=sns.get("TopicArn"))
            raise _invalid("SubscribeURL host not allowed")
        try:
            response = requests.get(url, timeout=self.config.sns_http_timeout_seconds, allow_redirects=False)
            response.raise_for_status()
        except requests.RequestException as exc:
            log.error("sns_subscription_confirm_failed", topic=sns.get("TopicArn"), error=type(exc).__name__)
            raise ServiceUnavailableError(f"{CLIENT_NAME} callback failed: subscription not confirmed") from exc
        log.info("sns_subscription_confirmed", topic=sns.get("TopicArn"))

    def receipt_envelope(self, sns: dict[str, Any]) -> Envelope:
        require_fields(sns, ["Message"], CLIENT_NAME)
        event = _parse_json(sns["Message"])
        event_type = event.get("notificationType") or event.get("eventType")
        if not event_type:
            raise _invalid("notificationType missing")
        mail = event.get("mail") if isinstance(event.get("mail"), dict) else {}
        if not mail.get("messageId"):
            raise _invalid("messageId missing")
        bounce = event.get("bounce") if isinstance(event.get("bounce"), dict) else {}
        complaint = event.get("complaint") if isinstance(event.get("complaint"), dict) else {}
        # The event's own block ("delivery", "bounce", "complaint", ...) holds when it happened.
        event_type = str(event_type)
        detail = event.get(event_type[0].lower() + event_type[1:])
        # Recipient addresses stay out of the message: envelopes never carry personal data.
        return Envelope(
            kind="ses-receipt",
            request_id=request_id(),
            payload={
                "provider": SES,
                "reference": str(mail["messageId"]),
                "event_type": event_type,
                "bounce_type": text_or_none(bounce.get("bounceType")),
                "bounce_sub_type": text_or_none(bounce.get("bounceSubType")),
                "complaint_feedback_id": text_or_none(complaint.get("feedbackId")),
                "complaint_feedback_type": text_or_none(complaint.get("complaintFeedbackType")),
                "complaint_timestamp": text_or_none(complaint.get("timestamp")),
                "mail_timestamp": text_or_none(mail.get("timestamp")),
                "provider_timestamp": text_or_none(detail.get("timestamp")) if isinstance(detail, dict) else None,
                "sns_message_id": text_or_none(sns.get("MessageId")),
                "received_at": datetime.now(UTC).isoformat(),
            },
        )


def ses_blueprint(webhook: SesWebhook) -> Blueprint:
    bp = Blueprint("ses_receipts", __name__)

    @bp.post("/notifications/email/ses")
    def receive_ses_event():
        # SNS posts JSON with Content-Type text/plain, so read the raw body.
        sns = _parse_json(request.get_data(cache=False))
        message_type = sns.get("Type")
        webhook.authenticate(sns)

        if message_type == "SubscriptionConfirmation":
            webhook.confirm_subscription(sns)
        elif message_type == "UnsubscribeConfirmation":
            log.warning("sns_unsubscribed", topic=sns.get("TopicArn"))
        elif message_type == "Notification":
            webhook.publisher.publish(webhook.receipt_envelope(sns))
        else:
            raise _invalid(f"unknown SNS message type {message_type}")
        return jsonify(result="success", message=f"{CLIENT_NAME} callback succeeded"), 200

    return bp
