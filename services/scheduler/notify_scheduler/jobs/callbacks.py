"""Delivery-status callbacks for status changes the scheduler makes (timeouts, failed recoveries).

The jobs read the snapshots inside their update transaction and publish them here, after commit, with
no session open. The messages are the ones the receipts worker publishes (notify_shared.callback_messages).
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from notify_shared import queues
from notify_shared.bus import PublishError
from notify_shared.callback_messages import DELIVERY_STATUS_CALLBACK, NotificationSnapshot, delivery_status_envelope
from notify_shared.crypto import SecretBox
from notify_shared.envelope import Envelope
from notify_shared.logging import get_logger
from notify_shared.models import ServiceCallbackApi

from .context import JobContext

log = get_logger(__name__)

# One quick retry rides out a dropped connection; a bus that is down stops the run instead.
PUBLISH_PAUSES = (0.0, 1.0)


def services_with_status_callbacks(session: Session, service_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    wanted = set(service_ids)
    if not wanted:
        return set()
    return set(session.scalars(
        select(ServiceCallbackApi.service_id)
        .where(ServiceCallbackApi.callback_type == DELIVERY_STATUS_CALLBACK, ServiceCallbackApi.service_id.in_(wanted))
    ))


def snapshot(row: Row) -> NotificationSnapshot:
    """From a RETURNING row that carries the snapshot's columns."""
    return NotificationSnapshot(
        id=row.id, service_id=row.service_id, status=row.status, to=row.to, client_reference=row.client_reference,
        notification_type=row.notification_type, template_id=row.template_id, template_version=row.template_version,
        created_at=row.created_at, sent_at=row.sent_at, updated_at=row.updated_at,
    )


def publish_status_callbacks(ctx: JobContext, snapshots: Sequence[NotificationSnapshot]) -> None:
    """Queue one callback per snapshot. Raises PublishError if the bus stays down, stopping the job.

    The status changes are already committed, so a callback that cannot be published is lost; it is
    logged with its notification id. Stopping the job leaves the remaining rows for the next run.
    """
    if not snapshots:
        return
    box = SecretBox(ctx.db.settings.secret_key)
    for position, snap in enumerate(snapshots):
        try:
            _publish_with_retries(ctx, delivery_status_envelope(snap, box))
        except PublishError:
            for lost in snapshots[position:]:
                log.error("callback_lost_publish_failed", notification_id=str(lost.id), status=lost.status)
            raise


def _publish_with_retries(ctx: JobContext, envelope: Envelope) -> None:
    last: PublishError | None = None
    for pause in PUBLISH_PAUSES:
        time.sleep(pause)
        try:
            ctx.bus.publish(queues.SERVICE_CALLBACKS, envelope)
        except PublishError as exc:
            last = exc
            continue
        log.info("callback_queued", notification_id=envelope.notification_id, status=envelope.payload["status"])
        return
    assert last is not None
    raise last
