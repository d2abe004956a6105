"""Callbacks that could not be delivered, kept for ops to replay: `python -m notify_status_receiver.dead_letters`.

A callback lands here when it used up its attempts (the service's endpoint kept failing) or when the
receipts worker could not even queue it. The row keeps the whole queue message encrypted with the
SECRET_KEY box (it holds the sealed recipient, but also ids and statuses nobody needs to read in SQL).

    python -m notify_status_receiver.dead_letters list [--service ID] [--all]
    python -m notify_status_receiver.dead_letters replay (--service ID | --id ID | --all)

`list` shows what waits for a replay (`--all`: replayed ones too). `replay` puts each waiting callback
back on service-callbacks with a fresh set of attempts and marks it replayed; the URL and token are
read when it is sent, so fix the service's callback first. Each row is claimed before it is published
(two replays at once cannot both send it) and released again if the publish fails.
"""
from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update

from notify_shared import queues
from notify_shared.bus import Bus, PublishError
from notify_shared.config import Settings
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.envelope import Envelope, EnvelopeError
from notify_shared.logging import configure_logging, get_logger
from notify_shared.receiver_models import CallbackDeadLetter

log = get_logger(__name__)

DEAD_LETTERS = CallbackDeadLetter.__table__


def record_dead_letter(db: Database, box: SecretBox, envelope: Envelope, *, service_id: str, callback_type: str,
                       last_error: str | None, attempts: int) -> uuid.UUID:
    """Keep an undeliverable callback. Short session; no network."""
    dead_letter_id = uuid.uuid4()
    notification_id = envelope.notification_id
    with db.session() as session:
        session.add(CallbackDeadLetter(
            id=dead_letter_id, service_id=uuid.UUID(str(service_id)), callback_type=callback_type,
            notification_id=uuid.UUID(notification_id) if notification_id else None,
            payload=box.encrypt(json.dumps(envelope.to_dict())), last_error=last_error, attempts=attempts,
        ))
    return dead_letter_id


@dataclass(frozen=True)
class DeadLetterSummary:
    id: uuid.UUID
    service_id: uuid.UUID
    callback_type: str
    notification_id: uuid.UUID | None
    attempts: int
    last_error: str | None
    created_at: datetime
    replayed_at: datetime | None


def list_dead_letters(db: Database, *, service_id: uuid.UUID | None = None,
                      include_replayed: bool = False) -> list[DeadLetterSummary]:
    t = DEAD_LETTERS
    query = select(t.c.id, t.c.service_id, t.c.callback_type, t.c.notification_id, t.c.attempts, t.c.last_error,
                   t.c.created_at, t.c.replayed_at).order_by(t.c.created_at, t.c.id)
    if service_id is not None:
        query = query.where(t.c.service_id == service_id)
    if not include_replayed:
        query = query.where(t.c.replayed_at.is_(None))
    with db.session() as session:
        return [DeadLetterSummary(*row) for row in session.execute(query)]


@dataclass
class ReplayReport:
    replayed: list[uuid.UUID]
    failed: list[tuple[uuid.UUID, str]]


def _claim(db: Database, dead_letter_id: uuid.UUID) -> str | None:
    t = DEAD_LETTERS
    with db.session() as session:
        return session.execute(
            update(t).where(t.c.id == dead_letter_id, t.c.replayed_at.is_(None))
            .values(replayed_at=datetime.now(UTC)).returning(t.c.payload)
        ).scalar()


def _release(db: Database, dead_letter_id: uuid.UUID) -> None:
    with db.session() as session:
        session.execute(update(DEAD_LETTERS).where(DEAD_LETTERS.c.id == dead_letter_id).values(replayed_at=None))


def _fresh_envelope(box: SecretBox, payload: str) -> Envelope:
    original = Envelope.from_dict(json.loads(box.decrypt(payload)))
    # A new message with the full set of attempts: the service has (presumably) been fixed.
    return Envelope(kind=original.kind, notification_id=original.notification_id, request_id=original.request_id,
                    payload=original.payload)


def replay_dead_letters(db: Database, bus: Bus, box: SecretBox, *, service_id: uuid.UUID | None = None,
                        dead_letter_id: uuid.UUID | None = None) -> ReplayReport:
    """Re-publish waiting dead letters (all, one service's, or one). No session is held while publishing."""
    waiting = [d.id for d in list_dead_letters(db, service_id=service_id)
               if dead_letter_id is None or d.id == dead_letter_id]
    report = ReplayReport([], [])
    for item in waiting:
        payload = _claim(db, item)
        if payload is None:
            continue  # replayed meanwhile by someone else
        try:
            envelope = _fresh_envelope(box, payload)
            bus.publish(queues.SERVICE_CALLBACKS, envelope)
        except (ValueError, EnvelopeError, PublishError) as exc:
            _release(db, item)
            report.failed.append((item, str(exc)))
            log.error("dead_letter_replay_failed", dead_letter_id=str(item), error=str(exc))
            continue
        report.replayed.append(item)
        log.info("dead_letter_replayed", dead_letter_id=str(item), kind=envelope.kind,
                 notification_id=envelope.notification_id, message_id=envelope.message_id)
    return report


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m notify_status_receiver.dead_letters",
                                     description="List and replay service callbacks that used up their attempts.")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="show dead letters waiting for a replay")
    listing.add_argument("--service", type=uuid.UUID, help="only this service's")
    listing.add_argument("--all", action="store_true", help="include dead letters already replayed")
    replay = commands.add_parser("replay", help="put waiting dead letters back on the callbacks queue")
    which = replay.add_mutually_exclusive_group(required=True)
    which.add_argument("--service", type=uuid.UUID, help="every waiting dead letter of this service")
    which.add_argument("--id", type=uuid.UUID, help="one dead letter")
    which.add_argument("--all", action="store_true", help="every waiting dead letter of every service")
    return parser.parse_args(argv)


def _print_list(items: list[DeadLetterSummary]) -> None:
    print("id\tservice_id\tcallback_type\tnotification_id\tattempts\tcreated_at\treplayed_at\tlast_error")
    for d in items:
        print("\t".join(str(v) if v is not None else "-" for v in (
            d.id, d.service_id, d.callback_type, d.notification_id, d.attempts, d.created_at.isoformat(),
            d.replayed_at.isoformat() if d.replayed_at else None, d.last_error)))
    print(f"{len(items)} dead letter(s)", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    settings = Settings.from_env("dead-letters")
    configure_logging(settings.service_name, settings.log_format, settings.log_level)
    db = Database(settings, pool_size=1, application_name="dead-letters")
    try:
        if args.command == "list":
            _print_list(list_dead_letters(db, service_id=args.service, include_replayed=args.all))
            return 0
        bus = Bus(settings)
        try:
            report = replay_dead_letters(db, bus, SecretBox(settings.secret_key), service_id=args.service,
                                         dead_letter_id=args.id)
        finally:
            bus.close()
        print(f"replayed {len(report.replayed)}, failed {len(report.failed)}")
        for item, error in report.failed:
            print(f"failed {item}: {error}", file=sys.stderr)
        return 1 if report.failed else 0
    finally:
        db.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
