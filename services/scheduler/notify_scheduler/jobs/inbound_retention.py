"""Delete inbound texts past their service's SMS retention (Notify's delete-inbound-sms).

Inbound texts follow the service's `sms` row in service_data_retention, else DEFAULT_RETENTION_DAYS.
They hold personal data (the sender's number and the message) and have no history table: they go.
Batches are short transactions, oldest first through ix_inbound_sms_service_created.
"""
from __future__ import annotations

from sqlalchemy import func, select, text

from notify_shared.logging import get_logger
from notify_shared.models import Service, ServiceDataRetention
from notify_shared.statuses import SMS

from .context import JobContext
from .days import retention_cutoff

log = get_logger(__name__)

# = ANY(ARRAY(...)) deletes the batch through the primary key; `IN (...)` may be planned as a hash
# join over the whole table, once per batch.
DELETE_BATCH = text("""
DELETE FROM inbound_sms WHERE id = ANY(ARRAY(
    SELECT id FROM inbound_sms
    WHERE service_id = :service_id AND created_at < :cutoff
    ORDER BY created_at
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
))
""")


def delete_inbound_sms_past_retention(ctx: JobContext) -> None:
    cfg = ctx.config
    with ctx.db.session() as session:
        now = session.scalar(select(func.now()))
        overrides = dict(session.execute(
            select(ServiceDataRetention.service_id, ServiceDataRetention.days_of_retention)
            .where(ServiceDataRetention.notification_type == SMS)).all())
        service_ids = session.scalars(select(Service.id).order_by(Service.id)).all()
    for service_id in service_ids:
        days = overrides.get(service_id, cfg.default_retention_days)
        cutoff = retention_cutoff(now, cfg.zone, days)
        deleted_total = 0
        while not ctx.should_stop():
            with ctx.db.session() as session:
                deleted = session.execute(DELETE_BATCH, {"service_id": service_id, "cutoff": cutoff,
                                                         "limit": cfg.retention_batch_size}).rowcount
            ctx.count(deleted)
            deleted_total += deleted
            if deleted < cfg.retention_batch_size:
                break
        if deleted_total:
            log.info("inbound_sms_past_retention_deleted", service_id=str(service_id), days_of_retention=days,
                     cutoff=cutoff.isoformat(), deleted=deleted_total)
        if ctx.should_stop():
            return
