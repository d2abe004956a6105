import subprocess
import sys
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from notify_shared import queues
from notify_shared.bus import Bus
from notify_shared.callback_messages import NotificationSnapshot, callback_body, delivery_status_envelope
from notify_shared.config import Settings
from notify_shared.envelope import Envelope
from notify_shared.receiver_models import CallbackDeadLetter
from notify_status_receiver import dead_letters
from notify_status_receiver.dead_letters import record_dead_letter
from notify_status_receiver.receipt_handler import ReceiptHandler


def dead_letter(rows, box, service_id, *, replayed: bool = False):
    callback = delivery_status_envelope(NotificationSnapshot(
        id=uuid.uuid4(), service_id=service_id, status="delivered", to="+447700900123", client_reference="ref-1",
        notification_type="sms", template_id=rows.template_id, template_version=1,
        created_at=datetime(2026, 5, 1, tzinfo=UTC), sent_at=None, updated_at=datetime(2026, 5, 1, 0, 1, tzinfo=UTC),
    ), box).next_attempt().next_attempt()
    dead_id = record_dead_letter(rows.db, box, callback, service_id=str(service_id), callback_type="delivery_status",
                                 last_error="HTTP 500", attempts=6)
    if replayed:
        with rows.db.session() as session:
            session.execute(update(CallbackDeadLetter).where(CallbackDeadLetter.id == dead_id)
                            .values(replayed_at=datetime.now(UTC)))
    return dead_id, callback


def replayed_at(db, dead_id):
    with db.session() as session:
        return session.get(CallbackDeadLetter, dead_id).replayed_at


@pytest.fixture
def two_services(rows, secret_box):
    other = rows.service(secret_box, ["sms"])
    return rows.service_id, other


def command(stack_env, *args: str) -> subprocess.CompletedProcess:
    """The ops command, run as ops run it."""
    return subprocess.run([sys.executable, "-m", "notify_status_receiver.dead_letters", *args],
                          env={**stack_env, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)


def test_list_shows_the_dead_letters_waiting_for_a_replay(rows, secret_box, two_services, stack_env):
    mine, other = two_services
    waiting, _ = dead_letter(rows, secret_box, mine)
    done, _ = dead_letter(rows, secret_box, mine, replayed=True)
    others, _ = dead_letter(rows, secret_box, other)

    everything = command(stack_env, "list")
    mine_with_replayed = command(stack_env, "list", "--service", str(mine), "--all")

    assert (everything.returncode, mine_with_replayed.returncode) == (0, 0)
    assert str(waiting) in everything.stdout and str(others) in everything.stdout
    assert str(done) not in everything.stdout
    assert "HTTP 500" in everything.stdout and "+447700900123" not in everything.stdout
    assert str(waiting) in mine_with_replayed.stdout and str(done) in mine_with_replayed.stdout
    assert str(others) not in mine_with_replayed.stdout


def test_replay_puts_a_services_dead_letters_back_on_the_queue_with_fresh_attempts(
        rows, secret_box, two_services, stack_env, read_messages, db):
    mine, other = two_services
    waiting, original = dead_letter(rows, secret_box, mine)
    others, _ = dead_letter(rows, secret_box, other)

    result = command(stack_env, "replay", "--service", str(mine))

    assert result.returncode == 0, result.stderr
    assert "replayed 1, failed 0" in result.stdout
    [message] = read_messages(queues.SERVICE_CALLBACKS, 1)
    assert (message.kind, message.notification_id, message.attempt) == (original.kind, original.notification_id, 0)
    assert callback_body(message, secret_box) == callback_body(original, secret_box)
    assert replayed_at(db, waiting) is not None
    assert replayed_at(db, others) is None


def test_a_dead_letter_is_replayed_once(rows, secret_box, bus, db, read_messages):
    waiting, _ = dead_letter(rows, secret_box, rows.service_id)

    first = dead_letters.replay_dead_letters(db, bus, secret_box, dead_letter_id=waiting)
    again = dead_letters.replay_dead_letters(db, bus, secret_box)

    assert (first.replayed, first.failed) == ([waiting], [])
    assert (again.replayed, again.failed) == ([], [])
    assert len(read_messages(queues.SERVICE_CALLBACKS, 2, timeout=2)) == 1


def test_replay_asks_which_dead_letters_to_replay(stack_env):
    result = command(stack_env, "replay")

    assert result.returncode == 2
    assert "--service" in result.stderr


def test_a_callback_the_receipts_worker_cannot_queue_is_kept_as_a_dead_letter(rows, secret_box, settings,
                                                                             receiver_config, db):
    rows.callback_api("https://service.example/callback", "token-123", secret_box)
    notification_id = rows.notification(status="sending")
    unreachable = Settings(**{**settings.__dict__, "broker_url": "redis://127.0.0.1:1/0",
                              "bus_publish_timeout_seconds": 1.0})
    handler = ReceiptHandler(db, Bus(unreachable), secret_box, receiver_config, callback_publish_pauses=(0.0,))

    handler.handle_batch([Envelope(kind="sms-receipt", notification_id=str(notification_id),
                                   payload={"provider": "mmg", "reference": str(notification_id), "status": "3"})])

    [waiting] = dead_letters.list_dead_letters(db)
    assert rows.status_of(notification_id).status == "delivered"
    assert (waiting.notification_id, waiting.callback_type, waiting.attempts) == (notification_id, "delivery_status", 0)
    assert waiting.last_error.startswith("not queued")
