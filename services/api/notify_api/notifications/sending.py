"""Accepting a notification: Notify's checks in Notify's order, one short transaction, then the publish.

Each send_* function checks the day's sending limit first (from the counts the rate limit's Redis call read,
`limits.daily_limits.SentToday`; never a network call inside the transaction), then takes the template
(from the per-process cache, `template_cache.py`) and any sender or reply-to it names, applies every rule
while the transaction (a Core one, `Database.transaction`) is open but without any network I/O, inserts the
`created` row, commits, and only then keeps the send's daily-limit reservation and publishes to the bus.
Simulated recipients go through every check but are neither stored, counted nor published.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from notify_shared import statuses
from notify_shared.errors import BadRequestError
from notify_shared.logging import get_logger
from notify_shared.models import utcnow
from notify_shared.recipients import validate_phone_number

from ..api_keys import Caller
from ..context import ApiContext
from ..documents.uploads import attach_files, reject_files
from ..limits import daily_limits
from ..limits.daily_limits import SentToday
from . import allowed_recipients, letters, serialise, store
from . import content as rules
from .publishing import publish_send

log = get_logger(__name__)

TEAM_KEY_RECIPIENT = "Can’t send to this recipient using a team-only API key"
TRIAL_MODE_RECIPIENT = (
    "Can’t send to this recipient when service is in trial mode – see "
    "https://www.notifications.service.gov.uk/trial-mode"
)
PERMISSION_TEXT = {statuses.SMS: "text messages", statuses.EMAIL: "emails", statuses.LETTER: "letters"}
INTERNATIONAL_SMS_PERMISSION = "international_sms"


@dataclass(frozen=True)
class Accepted:
    notification_id: uuid.UUID
    notification_type: str
    stored: bool
    # The daily-limit channels this send counts under.
    channels: tuple[str, ...]


def check_service_permission(caller: Caller, notification_type: str) -> None:
    if not caller.service.has_permission(notification_type):
        raise BadRequestError(f"Service is not allowed to send {PERMISSION_TEXT[notification_type]}")


def check_recipient_allowed(conn: Connection, caller: Caller, *, simulated: bool, email_address: str | None = None,
                            phone_number: str | None = None) -> None:
    """Team keys, and live keys of trial-mode services, may only send to the team and the guest list."""
    if simulated or caller.key_type == statuses.KEY_TYPE_TEST:
        return
    if caller.key_type != statuses.KEY_TYPE_TEAM and not caller.service.restricted:
        return
    if allowed_recipients.may_receive(conn, caller.service.id, email_address=email_address,
                                      phone_number=phone_number):
        return
    raise BadRequestError(TEAM_KEY_RECIPIENT if caller.key_type == statuses.KEY_TYPE_TEAM else TRIAL_MODE_RECIPIENT)


def _template_for(ctx: ApiContext, conn: Connection, caller: Caller, template_id: str,
                  notification_type: str) -> store.TemplateRecord:
    if ctx.templates is not None:
        template = ctx.templates.get(conn, caller.service.id, uuid.UUID(template_id))
    else:
        template = store.get_template(conn, caller.service.id, uuid.UUID(template_id))
    if template is None:
        raise BadRequestError("Template not found")
    if template.template_type != notification_type:
        raise BadRequestError(f"{template.template_type} template is not suitable for {notification_type} notification")
    if template.archived:
        raise BadRequestError("Template has been deleted")
    return template


def _row(ctx: ApiContext, caller: Caller, *, notification_id: uuid.UUID, notification_type: str,
         template: store.TemplateRecord, to: str, normalised_to: str, personalisation: Mapping[str, Any],
         client_reference: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "id": notification_id,
        "service_id": caller.service.id,
        "template_id": template.id,
        "template_version": template.version,
        "api_key_id": caller.api_key_id,
        "key_type": caller.key_type,
        "notification_type": notification_type,
        "to": to,
        "normalised_to": normalised_to,
        "personalisation": ctx.secret_box.encrypt(json.dumps(personalisation)) if personalisation else None,
        "status": statuses.CREATED,
        "client_reference": client_reference,
        "created_at": utcnow(),
        "billable_units": 0,
        "send_attempts": 0,
        **extra,
    }


def _after_commit(ctx: ApiContext, caller: Caller, accepted: Accepted, request_id: str | None,
                  sent_today: SentToday | None) -> None:
    if not accepted.stored:
        daily_limits.release(ctx.limits, caller, sent_today)
        log.info("simulated_notification_accepted", notification_id=str(accepted.notification_id),
                 notification_type=accepted.notification_type)
        return
    daily_limits.count_sent(ctx.limits, caller, accepted.channels, sent_today)
    publish_send(ctx.bus, ctx.publish_breaker, notification_id=accepted.notification_id,
                 notification_type=accepted.notification_type, key_type=caller.key_type, request_id=request_id)


def send_sms(ctx: ApiContext, caller: Caller, form: Mapping[str, Any], *, url_root: str,
             request_id: str | None, sent_today: SentToday | None = None) -> dict[str, Any]:
    check_service_permission(caller, statuses.SMS)
    personalisation = form.get("personalisation") or {}
    reject_files(personalisation)
    normalised, international = validate_phone_number(form["phone_number"], international=True)
    simulated = rules.is_simulated_phone_number(normalised)
    channels = daily_limits.channels_for(statuses.SMS, international=international)
    daily_limits.check_daily_limits(ctx.limits, caller, channels, sent_today)
    notification_id = uuid.uuid4()
    with ctx.db.transaction() as conn:
        template = _template_for(ctx, conn, caller, form["template_id"], statuses.SMS)
        rules.check_personalisation_complete(personalisation, template.content)
        from_number = ctx.settings.default_sms_sender
        if form.get("sms_sender_id"):
            from_number = store.get_sms_sender(conn, caller.service.id, uuid.UUID(form["sms_sender_id"]))
            if from_number is None:
                raise BadRequestError(f"sms_sender_id {form['sms_sender_id']} does not exist in database for "
                                      f"service id {caller.service.id}")
        elif caller.service.default_sms_sender:
            from_number = caller.service.default_sms_sender
        check_recipient_allowed(conn, caller, simulated=simulated, phone_number=normalised)
        if international and not caller.service.has_permission(INTERNATIONAL_SMS_PERMISSION):
            raise BadRequestError("Cannot send to international mobile numbers")
        content = rules.render_sms(template.content, personalisation)
        if not simulated:
            store.insert_notification(conn, _row(
                ctx, caller, notification_id=notification_id, notification_type=statuses.SMS, template=template,
                to=form["phone_number"], normalised_to=normalised, personalisation=personalisation,
                client_reference=form.get("reference"), international=international,
                # Only UK numbers are priced here; the sender records prefix and rate for international ones.
                phone_prefix=None if international else "44", rate_multiplier=None if international else 1.0,
                reply_to_text=from_number,
            ))
    _after_commit(ctx, caller, Accepted(notification_id, statuses.SMS, stored=not simulated, channels=channels),
                  request_id, sent_today)
    return serialise.post_sms_response(
        notification_id=notification_id, client_reference=form.get("reference"), template_id=template.id,
        template_version=template.version, service_id=caller.service.id, url_root=url_root, content=content,
        from_number=from_number,
    )


def send_email(ctx: ApiContext, caller: Caller, form: Mapping[str, Any], *, url_root: str,
               request_id: str | None, sent_today: SentToday | None = None) -> dict[str, Any]:
    check_service_permission(caller, statuses.EMAIL)
    personalisation = form.get("personalisation") or {}
    personalisation, sanitised_content = rules.sanitise_personalisation(
        personalisation, form.get("sanitise_content_for") or ())
    address = form["email_address"].strip()
    simulated = rules.is_simulated_email_address(address)
    channels = daily_limits.channels_for(statuses.EMAIL)
    daily_limits.check_daily_limits(ctx.limits, caller, channels, sent_today)
    notification_id = uuid.uuid4()
    # Files become download links before the transaction: storing one is a network call.
    personalisation = attach_files(ctx.documents, caller, personalisation, recipient=address, simulated=simulated,
                                   base_url=ctx.settings.document_download_base_url or url_root)
    with ctx.db.transaction() as conn:
        template = _template_for(ctx, conn, caller, form["template_id"], statuses.EMAIL)
        rules.check_personalisation_complete(personalisation, template.subject, template.content)
        reply_to = caller.service.default_reply_to
        if form.get("email_reply_to_id"):
            reply_to = store.get_email_reply_to(conn, caller.service.id, uuid.UUID(form["email_reply_to_id"]))
            if reply_to is None:
                raise BadRequestError(f"email_reply_to_id {form['email_reply_to_id']} does not exist in database "
                                      f"for service id {caller.service.id}")
        check_recipient_allowed(conn, caller, simulated=simulated, email_address=address)
        content = rules.render_email(template.content, template.subject, personalisation)
        if not simulated:
            store.insert_notification(conn, _row(
                ctx, caller, notification_id=notification_id, notification_type=statuses.EMAIL, template=template,
                to=address, normalised_to=address.lower(), personalisation=personalisation,
                client_reference=form.get("reference"), reply_to_text=reply_to,
                one_click_unsubscribe_url=form.get("one_click_unsubscribe_url"),
            ))
    _after_commit(ctx, caller, Accepted(notification_id, statuses.EMAIL, stored=not simulated, channels=channels),
                  request_id, sent_today)
    return serialise.post_email_response(
        notification_id=notification_id, client_reference=form.get("reference"), template_id=template.id,
        template_version=template.version, service_id=caller.service.id, url_root=url_root, content=content,
        from_email=f"{caller.service.email_sender_local_part}@{ctx.settings.notify_email_domain}",
        one_click_unsubscribe_url=form.get("one_click_unsubscribe_url"), sanitised_content=sanitised_content,
    )


def send_letter(ctx: ApiContext, caller: Caller, form: Mapping[str, Any], *, url_root: str,
                request_id: str | None, sent_today: SentToday | None = None) -> dict[str, Any]:
    check_service_permission(caller, statuses.LETTER)
    personalisation = form.get("personalisation") or {}
    reject_files(personalisation)
    channels = daily_limits.channels_for(statuses.LETTER)
    daily_limits.check_daily_limits(ctx.limits, caller, channels, sent_today)
    notification_id = uuid.uuid4()
    with ctx.db.transaction() as conn:
        template = _template_for(ctx, conn, caller, form["template_id"], statuses.LETTER)
        rules.check_personalisation_complete(personalisation, template.subject, template.content)
        # Notify answers these two with 403, unlike the 400 for texts and emails.
        if caller.key_type == statuses.KEY_TYPE_TEAM:
            raise BadRequestError("Cannot send letters with a team api key", status_code=403)
        if caller.service.restricted and caller.key_type != statuses.KEY_TYPE_TEST:
            raise BadRequestError("Cannot send letters when service is in trial mode", status_code=403)
        address = letters.address_from_personalisation(personalisation)
        content = rules.render_letter(template.content, template.subject, personalisation)
        store.insert_notification(conn, _row(
            ctx, caller, notification_id=notification_id, notification_type=statuses.LETTER, template=template,
            to=address.as_text(), normalised_to=address.postcode.replace(" ", "").lower(),
            personalisation=personalisation, client_reference=form.get("reference"),
            postage=template.postage or "second",
        ))
    _after_commit(ctx, caller, Accepted(notification_id, statuses.LETTER, stored=True, channels=channels), request_id,
                  sent_today)
    return serialise.post_letter_response(
        notification_id=notification_id, client_reference=form.get("reference"), template_id=template.id,
        template_version=template.version, service_id=caller.service.id, url_root=url_root, content=content,
    )
