"""SES v2 SendEmail as boto3's `sesv2` client calls it (endpoint_url=<simulator>/ses), and SES events
delivered the way an SNS HTTP subscription delivers them.

boto3 POSTs JSON to /v2/email/outbound-emails signed with SigV4 and reads {"MessageId"}. Errors use
the REST-JSON shape botocore parses: the code in `x-amzn-ErrorType`, the text in `message`.
The receipt is an SNS `Notification` envelope whose `Message` is the SES event as a JSON string
(`notificationType` Delivery / Bounce / Complaint, `mail.messageId` = the MessageId we returned).
SNS posts it as text/plain with `x-amz-sns-message-type: Notification`; the simulator cannot sign it.
"""
from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, request

from .context import SimulatorContext
from .outcomes import Outcome, aws_timestamp, email_outcome
from .receipts import Receipt

PROVIDER = "ses"
RECEIPT_PATH = "/notifications/email/ses"
SNS_HEADERS = {"Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification"}
REPORTING_MTA = "dsn; simulator.notify.localhost"
# The sender tags each email with our notification id so /_stats can count hand-overs per notification.
NOTIFICATION_ID_TAG = "notification_id"

ERROR_TYPES = {400: "BadRequestException", 403: "AccessDeniedException", 404: "NotFoundException",
               429: "TooManyRequestsException"}


def _error(status: int, message: str, error_type: str | None = None) -> Response:
    kind = error_type or ERROR_TYPES.get(status, "InternalFailure" if status >= 500 else "BadRequestException")
    return Response(json.dumps({"message": message}), status=status, mimetype="application/json",
                    headers={"x-amzn-ErrorType": kind, "x-amzn-RequestId": str(uuid.uuid4())})


def _validate(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "Request body is not a JSON object"
    if not body.get("FromEmailAddress"):
        return "FromEmailAddress is required"
    destination = body.get("Destination") or {}
    if not isinstance(destination, dict) or not destination.get("ToAddresses"):
        return "Destination.ToAddresses is required"
    content = body.get("Content")
    simple = content.get("Simple") if isinstance(content, dict) else None
    if not isinstance(simple, dict) or not (simple.get("Subject") or {}).get("Data"):
        return "Content.Simple.Subject is required"
    if not (simple.get("Body") or {}):
        return "Content.Simple.Body is required"
    return None


def _tag(body: dict[str, Any], name: str) -> str | None:
    for tag in body.get("EmailTags") or []:
        if isinstance(tag, dict) and tag.get("Name") == name:
            return str(tag.get("Value"))
    return None


def _mail(message_id: str, body: dict[str, Any], sent_at: datetime) -> dict[str, Any]:
    to = list(body["Destination"]["ToAddresses"])
    simple = body["Content"]["Simple"]
    return {
        "timestamp": aws_timestamp(sent_at),
        "messageId": message_id,
        "source": body["FromEmailAddress"],
        "sourceArn": "arn:aws:ses:eu-west-2:000000000000:identity/notify.localhost",
        "sendingAccountId": "000000000000",
        "destination": to,
        "headersTruncated": False,
        "commonHeaders": {"from": [body["FromEmailAddress"]], "to": to, "subject": simple["Subject"]["Data"],
                          "messageId": message_id},
        "tags": {tag["Name"]: [str(tag.get("Value"))] for tag in body.get("EmailTags") or [] if "Name" in tag},
    }


def ses_events(message_id: str, body: dict[str, Any], sent_at: datetime) -> list[dict[str, Any]]:
    """The SES events for one email, in the order SES would publish them."""
    mail = _mail(message_id, body, sent_at)
    recipients = mail["destination"]
    now = aws_timestamp()
    outcome = email_outcome(recipients[0])
    if outcome in (Outcome.PERMANENT_FAILURE, Outcome.TEMPORARY_FAILURE):
        permanent = outcome is Outcome.PERMANENT_FAILURE
        return [{
            "notificationType": "Bounce",
            "mail": mail,
            "bounce": {
                "bounceType": "Permanent" if permanent else "Transient",
                "bounceSubType": "General",
                "bouncedRecipients": [{
                    "emailAddress": r, "action": "failed", "status": "5.1.1" if permanent else "4.4.7",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown" if permanent else "smtp; 421 4.4.7 mailbox busy",
                } for r in recipients],
                "timestamp": now,
                "feedbackId": f"{uuid.uuid4()}-000000",
                "reportingMTA": REPORTING_MTA,
            },
        }]
    delivery = {
        "notificationType": "Delivery",
        "mail": mail,
        "delivery": {"timestamp": now, "processingTimeMillis": 200, "recipients": recipients,
                     "smtpResponse": "250 2.6.0 Message received", "reportingMTA": "simulator.notify.localhost"},
    }
    if outcome is Outcome.COMPLAINT:
        complaint = {
            "notificationType": "Complaint",
            "mail": mail,
            "complaint": {"complainedRecipients": [{"emailAddress": r} for r in recipients], "timestamp": now,
                          "feedbackId": f"{uuid.uuid4()}-000000", "complaintFeedbackType": "abuse"},
        }
        return [delivery, complaint]
    return [delivery]


def sns_envelope(event: dict[str, Any], topic_arn: str) -> dict[str, Any]:
    return {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": topic_arn,
        "Message": json.dumps(event),
        "Timestamp": aws_timestamp(),
        "SignatureVersion": "1",
        # Not a real signature: the status-receiver only accepts it with SNS signature checks off.
        "Signature": base64.b64encode(b"notify-simulator-unsigned").decode(),
        "SigningCertURL": "https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-simulator.pem",
        "UnsubscribeURL": "http://127.0.0.1/unsubscribe-not-supported-by-simulator",
    }


def ses_blueprint(sim: SimulatorContext) -> Blueprint:
    bp = Blueprint("ses", __name__)

    @bp.post("/ses/v2/email/outbound-emails")
    def send_email():
        if not request.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256"):
            return _error(403, "Missing Authentication Token", "MissingAuthenticationTokenException")
        try:
            body = json.loads(request.get_data(cache=False) or b"null")
        except ValueError:
            body = None
        problem = _validate(body)
        if problem:
            return _error(400, problem)

        failure = sim.injected_failure(PROVIDER)
        if failure is not None:
            return _error(failure, "Simulated provider failure")

        message_id = f"0102{uuid.uuid4().hex[:12]}-{uuid.uuid4()}-000000"
        sent_at = datetime.now(UTC)
        key = _tag(body, NOTIFICATION_ID_TAG) or message_id
        sim.sends.record_send(PROVIDER, key, message_id, body)
        sim.post_receipts(*[
            Receipt(path=RECEIPT_PATH, description=f"ses:{message_id}",
                    raw_body=json.dumps(sns_envelope(event, sim.settings.sns_topic_arn)), headers=SNS_HEADERS)
            for event in ses_events(message_id, body, sent_at)
        ])
        return Response(json.dumps({"MessageId": message_id}), mimetype="application/json",
                        headers={"x-amzn-RequestId": str(uuid.uuid4())})

    return bp
