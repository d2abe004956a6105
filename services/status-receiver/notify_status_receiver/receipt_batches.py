"""Applying many receipts in one transaction: one locking read and one UPDATE ... FROM (unnest(...)).

The outcomes are exactly those of applying the receipts one by one in arrival order (receipts.py):
- each notification's receipts are folded in arrival order from the status read, with the same rules
  (resolve_status, can_transition), and the row is written once, with where the fold ends;
- the read locks the rows (ordered by id, so two workers lock in the same order and cannot deadlock)
  and the UPDATE is still guarded by the status read, so no row can move backwards;
- whatever the batch cannot settle exactly goes through the one-at-a-time path, in arrival order:
  complaints, receipts whose notification is only in notification_history or not there yet, a row
  whose guard failed, and a fold with two status changes where the first is not `pending` (the
  per-receipt path would have sent a callback for each; with today's mappings only `pending` is
  not final, so this cannot happen, but the rule keeps it exact if a mapping changes).
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Session

from notify_shared.callback_messages import DELIVERY_STATUS_CALLBACK, delivery_status_envelope
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.envelope import Envelope
from notify_shared.statuses import PENDING, can_transition, is_final

from .mapping import COMPLAINT, IGNORED, MappedStatus, resolve_status
from .notification_lookup import as_uuid, snapshot_of
from .outcomes import DUPLICATE, IGNORED_RESULT, UPDATED, ReceiptOutcome
from .receipts import apply_mapped_receipt, map_and_log


@dataclass(frozen=True)
class _Receipt:
    index: int
    envelope: Envelope
    mapped: MappedStatus
    notification_id: uuid.UUID | None
    reference: str | None
    provider: str | None


@dataclass
class _Step:
    receipt: _Receipt
    result: str
    previous: str
    status: str


@dataclass
class _Fold:
    """One notification's receipts in this batch, replayed in memory from the status read."""

    row: object
    status: str
    sent_by: str | None = None
    steps: list[_Step] = field(default_factory=list)

    def add(self, receipt: _Receipt) -> None:
        target = resolve_status(receipt.mapped, self.status)
        if can_transition(self.status, target):
            self.steps.append(_Step(receipt, UPDATED, self.status, target))
            self.status = target
            # Each one-at-a-time update sets sent_by = coalesce(sent_by, provider): the first provider wins.
            self.sent_by = self.sent_by or receipt.provider
        else:
            self.steps.append(_Step(receipt, DUPLICATE, self.status, self.status))

    @property
    def changes(self) -> list[_Step]:
        return [step for step in self.steps if step.result == UPDATED]

    def exact_in_one_write(self) -> bool:
        return all(step.status == PENDING for step in self.changes[:-1])


def apply_receipts(db: Database, box: SecretBox, envelopes: Sequence[Envelope]) -> list[ReceiptOutcome]:
    """Record receipts in the database, one outcome per envelope in order. Holds sessions; no network."""
    outcomes: list[ReceiptOutcome | None] = [None] * len(envelopes)
    mapped_all = [map_and_log(envelope) for envelope in envelopes]
    batchable: list[_Receipt] = []
    for index, (envelope, mapped) in enumerate(zip(envelopes, mapped_all, strict=True)):
        if mapped.status == IGNORED:
            outcomes[index] = ReceiptOutcome(IGNORED_RESULT)
        elif mapped.status != COMPLAINT:
            reference = envelope.payload.get("reference")
            batchable.append(_Receipt(index, envelope, mapped, as_uuid(envelope.notification_id),
                                      str(reference) if reference else None, envelope.payload.get("provider")))
    if batchable:
        with db.session() as session:
            for index, outcome in _apply_batch(session, box, batchable).items():
                outcomes[index] = outcome
    for index, envelope in enumerate(envelopes):
        if outcomes[index] is None:
            outcomes[index] = apply_mapped_receipt(db, box, envelope, mapped_all[index])
    return outcomes  # type: ignore[return-value]


# Arrays rather than one bind parameter per receipt: the statements stay the same text whatever the
# batch size, so building them costs nothing (a VALUES list of 50 rows costs more to compile than to run).
_RETURNED = ('n.id, n.service_id, n.status, n."to", n.client_reference, n.notification_type, n.template_id,'
             ' n.template_version, n.created_at, n.sent_at, n.updated_at')
_TYPES = {"id": UUID(as_uuid=True), "service_id": UUID(as_uuid=True), "template_id": UUID(as_uuid=True)}

# Locks the rows, ordered by id so that two workers lock in the same order and cannot deadlock; also
# says whether each row's service wants delivery-status callbacks (one round trip instead of two).
_LOCK = text(f"""
SELECT {_RETURNED}, n.reference,
       EXISTS (SELECT 1 FROM service_callback_api c
               WHERE c.service_id = n.service_id AND c.callback_type = :callback_type) AS has_callback
FROM notifications n
WHERE n.id = ANY(CAST(:ids AS uuid[])) OR n.reference = ANY(CAST(:references AS text[]))
ORDER BY n.id
FOR UPDATE OF n
""").columns(**_TYPES)

# UPDATE ... FROM a VALUES-like row set (unnest of parallel arrays), guarded by the status read.
_WRITE = text(f"""
UPDATE notifications AS n
SET status = v.status, updated_at = :now,
    completed_at = CASE WHEN v.final THEN :now ELSE n.completed_at END,
    sent_by = COALESCE(n.sent_by, v.sent_by)
FROM unnest(CAST(:ids AS uuid[]), CAST(:expected AS text[]), CAST(:statuses AS text[]),
            CAST(:sent_by AS text[]), CAST(:final AS boolean[])) AS v(id, expected, status, sent_by, final)
WHERE n.id = v.id AND n.status = v.expected
RETURNING {_RETURNED}
""").columns(**_TYPES)


def _fold(session: Session, receipts: list[_Receipt]) -> tuple[dict[uuid.UUID, _Fold], set[uuid.UUID]]:
    """Each found notification's receipts replayed in memory, and the rows whose service has a callback."""
    rows = session.execute(_LOCK, {
        "ids": sorted({str(r.notification_id) for r in receipts if r.notification_id is not None}),
        "references": sorted({r.reference for r in receipts if r.reference}),
        "callback_type": DELIVERY_STATUS_CALLBACK,
    }).all()
    by_id = {row.id: row for row in rows}
    by_reference: dict[str, object] = {}
    for row in rows:
        if row.reference:
            by_reference.setdefault(row.reference, row)
    folds: dict[uuid.UUID, _Fold] = {}
    for receipt in receipts:
        # By our id first, then by provider reference: the one-at-a-time lookup order.
        row = by_id.get(receipt.notification_id) if receipt.notification_id else None
        if row is None and receipt.reference:
            row = by_reference.get(receipt.reference)
        if row is None:
            continue
        folds.setdefault(row.id, _Fold(row, row.status)).add(receipt)
    return folds, {row.id for row in rows if row.has_callback}


def _write(session: Session, folds: list[_Fold]) -> dict[uuid.UUID, object]:
    if not folds:
        return {}
    written = session.execute(_WRITE, {
        "now": datetime.now(UTC),
        "ids": [str(f.row.id) for f in folds],
        "expected": [f.row.status for f in folds],
        "statuses": [f.status for f in folds],
        "sent_by": [f.sent_by for f in folds],
        "final": [is_final(f.status) for f in folds],
    })
    return {row.id: row for row in written}


def _apply_batch(session: Session, box: SecretBox, receipts: list[_Receipt]) -> dict[int, ReceiptOutcome]:
    """Outcomes for the receipts this batch settles; the rest are left to the one-at-a-time path."""
    all_folds, with_callback = _fold(session, receipts)
    folds = [fold for fold in all_folds.values() if fold.exact_in_one_write()]
    written = _write(session, [fold for fold in folds if fold.changes])

    outcomes: dict[int, ReceiptOutcome] = {}
    for fold in folds:
        row_id = str(fold.row.id)
        if fold.changes and fold.row.id not in written:
            continue  # the guard failed: the row moved under us, decide again one at a time
        last_change = fold.changes[-1] if fold.changes else None
        for step in fold.steps:
            callbacks: tuple[Envelope, ...] = ()
            if step is last_change:
                row = written[fold.row.id]
                if row.status != PENDING and row.id in with_callback:
                    callbacks = (delivery_status_envelope(snapshot_of(row), box,
                                                          request_id=step.receipt.envelope.request_id),)
            outcomes[step.receipt.index] = ReceiptOutcome(step.result, row_id, step.status, step.previous, callbacks)
    return outcomes
