"""collate-letters: at the cut-off, every live letter still `created` from before it goes to send-letter-tasks."""
from notify_shared import queues
from notify_shared.bus import Bus
from notify_shared.config import Settings

from .conftest import collation_seconds_ago, consume, notification, run_named_job

COLLATE = "collate-letters"
REPLAY = "replay-created-notifications"


def test_only_live_letters_created_before_the_cut_off_are_published_for_hand_over(empty_db, bus, stuck):
    collation = collation_seconds_ago(empty_db, 120)
    due = [stuck(notification_type="letter", age_seconds=age) for age in (600, 90_000)]  # today's and a missed day's
    stuck(notification_type="letter", age_seconds=60)  # after the cut-off: tomorrow's collation
    stuck(notification_type="letter", age_seconds=600, key_type="test")  # test keys never wait for one
    stuck(notification_type="letter", age_seconds=600, status="sending")  # already handed to a sender
    stuck(notification_type="sms", age_seconds=600)

    result = run_named_job(empty_db, bus, COLLATE, letter_collation_time=collation, replay_batch_size=1)

    assert result.ok and result.rows == 2
    received = consume(bus, [queues.SEND_LETTER, queues.RESEARCH_MODE, queues.SEND_SMS], 3, timeout=5)
    assert sorted((q, e.kind, e.notification_id) for q, e in received) == sorted(
        (queues.SEND_LETTER, "send-letter", str(n)) for n in due)
    assert all(e.payload["collation"] for _, e in received)


def test_a_collation_lost_to_a_bus_outage_is_made_good_by_the_replay_job(empty_db, settings, bus, stuck):
    collation = collation_seconds_ago(empty_db, 120)
    letter = stuck(notification_type="letter", age_seconds=600)
    dead_bus = Bus(Settings(**{**settings.__dict__, "broker_url": "sqs://notify:notify@127.0.0.1:1",
                               "bus_publish_timeout_seconds": 0.1}))

    failed = run_named_job(empty_db, dead_bus, COLLATE, letter_collation_time=collation)

    assert failed.error.startswith("PublishError")
    assert notification(empty_db, letter).status == "created"  # nothing lost: the row carries the letter
    replayed = run_named_job(empty_db, bus, REPLAY, letter_collation_time=collation, replay_created_after_seconds=60)

    assert replayed.ok and replayed.rows == 1
    [(queue, envelope)] = consume(bus, [queues.SEND_LETTER], 1)
    assert (queue, envelope.kind, envelope.notification_id) == (queues.SEND_LETTER, "send-letter", str(letter))
