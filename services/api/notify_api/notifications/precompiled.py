"""Accepting a precompiled letter: POST /v2/notifications/letter with `content`, a base64 PDF.

Notify's order of checks: letter permission, then team keys and trial-mode services refused (403), then
the PDF itself. Every PDF check that makes the request bad input (not base64, not a PDF, corrupt,
encrypted, more than 10 pages, nothing readable in the address window, no real UK postcode) runs before
anything is stored and answers 400. Then:

1. the PDF goes into the letter store under the notification id (a network call: no session open);
2. one short transaction inserts the row `pending-virus-check`, against the service's precompiled
   template, with its sheets of paper already counted;
3. the virus scan hook runs, with no session open. This platform runs no virus scanner: the hook is a
   pass-through that finds every file clean. It stays a step of its own so a deployment can put a
   scanner behind it and so the statuses a letter goes through are Notify's;
4. a second transaction moves the row on: `virus-scan-failed`, `validation-failed` when the PDF can
   be read but not printed as it is (a page not A4 portrait, as Notify's letter checks decide after
   accepting it), or `created`; only then is a `created` letter published to the letter workers, which
   send the stored PDF as it is (test keys: to the simulator's print API, never the print provider).

A process that dies between 2 and 4 leaves the row `pending-virus-check` with its PDF stored; the API
does not sweep those up (Notify's daily "letters still pending virus check" alert is not built).
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from notify_shared import statuses
from notify_shared.errors import BadRequestError, ServiceUnavailableError
from notify_shared.letters import precompiled as validation
from notify_shared.letters.postage import choose_postage
from notify_shared.letters.render import sheets
from notify_shared.logging import get_logger
from notify_shared.models import Notification, Template, TemplateHistory, utcnow

from ..api_keys import Caller
from ..context import ApiContext
from ..limits import daily_limits
from ..limits.daily_limits import SentToday
from . import letters, store
from .publishing import publish_send
from .sending import _row, check_service_permission

log = get_logger(__name__)

# Notify's hidden per-service template (templates_dao.get_precompiled_letter_template): every
# notification points at a (template_id, version), so a precompiled letter gets one with no content.
PRECOMPILED_TEMPLATE_NAME = "Pre-compiled PDF"
# Its id is derived from the service's, which is how it is found again, and two first precompiled letters
# sent at once create one template between them (the second insert finds the row and does nothing).
_PRECOMPILED_TEMPLATE_NAMESPACE = uuid.UUID("5b0a4c36-3a6b-4f53-9a8e-2f4e7f6f1c01")
STORE_FAILED = "Letter could not be stored, try again later"


def precompiled_template_id(service_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(_PRECOMPILED_TEMPLATE_NAMESPACE, str(service_id))


def precompiled_template(session: Session, service_id: uuid.UUID) -> store.TemplateRecord:
    """The service's precompiled-letter template, created the first time one is needed.

    Notify marks it `hidden`; here it is stored archived instead (no schema change): so it is left out of
    template listings, cannot be edited through the admin API, and cannot send templated letters.
    """
    template_id = precompiled_template_id(service_id)
    found = store.get_template(session, service_id, template_id)
    if found is not None:
        return found
    values = {"id": template_id, "service_id": service_id, "name": PRECOMPILED_TEMPLATE_NAME,
              "template_type": statuses.LETTER, "subject": PRECOMPILED_TEMPLATE_NAME, "content": "", "version": 1,
              "archived": True, "postage": "second", "created_at": utcnow()}
    session.execute(insert(Template).values(**values).on_conflict_do_nothing(index_elements=["id"]))
    session.execute(insert(TemplateHistory).values(**values).on_conflict_do_nothing(
        index_elements=["id", "version"]))
    return store.get_template(session, service_id, template_id)


def scan_for_viruses(notification_id: uuid.UUID, pdf: bytes) -> bool:
    """The virus scan hook: True when the file is clean.

    A pass-through: no scanner runs here (Notify uses ClamAV through its antivirus app). Plug one in
    here; it runs with no database session open, so it may call a scanning service over the network.
    """
    return True


def _address_personalisation(lines: tuple[str, ...]) -> dict[str, str]:
    # Stored the way templated letters carry their address, so GET shows line_1.. and postcode alike.
    values = {f"address_line_{n}": line for n, line in enumerate(lines[:-1], start=1)}
    values["postcode"] = lines[-1]
    return values


def _check_key_and_mode(caller: Caller) -> None:
    # Notify answers these two with 403, unlike the 400 for texts and emails.
    if caller.key_type == statuses.KEY_TYPE_TEAM:
        raise BadRequestError("Cannot send letters with a team api key", status_code=403)
    if caller.service.restricted and caller.key_type != statuses.KEY_TYPE_TEST:
        raise BadRequestError("Cannot send letters when service is in trial mode", status_code=403)


def _status_after_scan(clean: bool, checked: validation.ValidatedLetter) -> str:
    if not clean:
        return statuses.VIRUS_SCAN_FAILED
    if checked.print_problem is not None:
        return statuses.VALIDATION_FAILED
    return statuses.CREATED


def send_precompiled_letter(ctx: ApiContext, caller: Caller, form: Mapping[str, Any], *,
                            request_id: str | None, sent_today: SentToday | None = None) -> dict[str, Any]:
    """Accept the letter; the 201 body is Notify's `{"id", "reference", "postage"}`."""
    check_service_permission(caller, statuses.LETTER)
    _check_key_and_mode(caller)
    try:
        checked = validation.validate_precompiled(form["content"])
    except validation.PrecompiledLetterInvalid as exc:
        raise BadRequestError(exc.message) from exc
    channels = daily_limits.channels_for(statuses.LETTER)
    daily_limits.check_daily_limits(ctx.limits, caller, channels, sent_today)

    notification_id = uuid.uuid4()
    if ctx.letter_pdfs is None:
        raise ServiceUnavailableError(STORE_FAILED)
    try:
        ctx.letter_pdfs.put(notification_id, checked.pdf)
    except Exception as exc:  # noqa: BLE001 - any store failure: nothing was accepted, the caller may retry
        log.error("precompiled_letter_not_stored", notification_id=str(notification_id), error=type(exc).__name__)
        raise ServiceUnavailableError(STORE_FAILED) from exc

    lines = (*checked.address_lines[:-1], letters.normalise_postcode(checked.postcode))
    with ctx.db.session() as session:
        template = precompiled_template(session, caller.service.id)
        postage = choose_postage(form.get("postage"), template.postage)
        store.insert_notification(session, _row(
            ctx, caller, notification_id=notification_id, notification_type=statuses.LETTER, template=template,
            to="\n".join(lines), normalised_to=lines[-1].replace(" ", "").lower(),
            personalisation=_address_personalisation(lines), client_reference=form["reference"],
            postage=postage, status=statuses.PENDING_VIRUS_CHECK, billable_units=sheets(checked.page_count),
        ))
    daily_limits.count_sent(ctx.limits, caller, channels, sent_today)

    status = _status_after_scan(scan_for_viruses(notification_id, checked.pdf), checked)
    with ctx.db.session() as session:
        session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.status == statuses.PENDING_VIRUS_CHECK)
            .values(status=status, updated_at=utcnow(),
                    completed_at=utcnow() if statuses.is_final(status) else None)
        )
    log.info("precompiled_letter_accepted", notification_id=str(notification_id), status=status,
             pages=checked.page_count, problem=checked.print_problem)
    if status == statuses.CREATED:
        publish_send(ctx.bus, ctx.publish_breaker, notification_id=notification_id,
                     notification_type=statuses.LETTER, key_type=caller.key_type, request_id=request_id)
    return {"id": str(notification_id), "reference": form["reference"], "postage": postage}

