"""Reading notifications back for the caller's service, in Notify's GET shape."""
from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from notify_shared import statuses
from notify_shared.errors import BadRequestError, NoResultFound
from notify_shared.logging import get_logger

from ..api_keys import Caller
from ..context import ApiContext
from . import letters, serialise, store
from .content import Content, render_for_display

log = get_logger(__name__)

PDF_NOT_READY = "PDF not available yet, try again later"


def visible_key_types(caller: Caller) -> tuple[str, ...]:
    # As in Notify (get_notifications_for_service with key_type=api_user.key_type), a list holds only what
    # was sent with keys of the caller's type: test, team and live traffic never mix.
    return (caller.key_type,)


def expand_status_filter(requested: Sequence[str]) -> tuple[str, ...]:
    expanded: list[str] = []
    for status in requested:
        if status == "failed":
            values: Sequence[str] = statuses.FAILURE_STATUSES
        else:
            values = letters.internal_statuses_for_letter_filter(status)
        expanded.extend(v for v in values if v not in expanded)
    return tuple(expanded)


def _personalisation(ctx: ApiContext, stored: store.StoredNotification) -> dict[str, Any]:
    encrypted = stored.notification.personalisation
    if not encrypted:
        return {}
    try:
        return json.loads(ctx.secret_box.decrypt(encrypted))
    except ValueError:
        # Wrong SECRET_KEY or a corrupt value: show the template unfilled rather than fail the whole page.
        log.error("personalisation_undecryptable", notification_id=str(stored.notification.id))
        return {}


def to_v2(ctx: ApiContext, stored: store.StoredNotification, url_root: str,
          unfilled: dict[tuple[Any, ...], Content] | None = None) -> dict[str, Any]:
    """`unfilled` memoises the rendering of notifications without personalisation, which is the same for
    every notification of one template version (a page is often hundreds of them)."""
    n = stored.notification
    personalisation = _personalisation(ctx, stored)
    if personalisation or unfilled is None:
        rendered = render_for_display(n.notification_type, stored.template_content, stored.template_subject,
                                      personalisation)
    else:
        key = (n.template_id, n.template_version, n.notification_type)
        rendered = unfilled.get(key)
        if rendered is None:
            rendered = unfilled[key] = render_for_display(n.notification_type, stored.template_content,
                                                          stored.template_subject, personalisation)
    return serialise.notification(stored, personalisation, url_root=url_root,
                                  sms_rate=ctx.settings.sms_rate_pounds, rendered=rendered,
                                  collation=ctx.settings.letter_collation)


def get_one(ctx: ApiContext, caller: Caller, notification_id: uuid.UUID, url_root: str) -> dict[str, Any] | None:
    with ctx.db.session() as session:
        stored = store.get_notification(session, caller.service.id, notification_id)
    return to_v2(ctx, stored, url_root) if stored else None


def list_page(ctx: ApiContext, caller: Caller, *, statuses_wanted: Sequence[str], template_types: Sequence[str],
              client_reference: str | None, include_jobs: bool, older_than: uuid.UUID | None,
              url_root: str) -> list[dict[str, Any]]:
    filters = store.ListFilter(
        key_types=visible_key_types(caller),
        statuses=expand_status_filter(statuses_wanted),
        template_types=tuple(template_types),
        client_reference=client_reference,
        include_jobs=include_jobs,
    )
    with ctx.db.session() as session:
        rows = store.list_notifications(session, caller.service.id, filters, older_than=older_than,
                                        limit=ctx.settings.page_size)
    unfilled: dict[tuple[Any, ...], Content] = {}
    return [to_v2(ctx, row, url_root, unfilled) for row in rows]


def letter_pdf(ctx: ApiContext, caller: Caller, notification_id: uuid.UUID) -> bytes:
    """A letter's PDF, or Notify's error for why there is none (app/v2/notifications/get_notifications.py).

    Until the sender has rendered and stored it the answer is PDFNotReadyError, which the official
    client's users already retry on.
    """
    with ctx.db.session() as session:
        found = store.get_type_and_status(session, caller.service.id, notification_id)
    if found is None:
        raise NoResultFound()
    notification_type, status = found
    if notification_type != statuses.LETTER:
        raise BadRequestError("Notification is not a letter")
    if status == statuses.VIRUS_SCAN_FAILED:
        raise BadRequestError("File did not pass the virus scan")
    if status == statuses.TECHNICAL_FAILURE:
        raise BadRequestError(f"PDF not available for letters in status {status}")
    pdf = None
    if status != statuses.PENDING_VIRUS_CHECK and ctx.letter_pdfs is not None:
        try:
            pdf = ctx.letter_pdfs.get(notification_id)
        except Exception as exc:  # noqa: BLE001 - any store failure means "not ready", as in Notify
            log.error("letter_pdf_unreadable", notification_id=str(notification_id), error=type(exc).__name__)
    if pdf is None:
        raise BadRequestError(PDF_NOT_READY, error="PDFNotReadyError")
    return pdf
