from sqlalchemy import select, text

from notify_scheduler.config import SchedulerConfig
from notify_scheduler.jobs import all_jobs, job_named
from notify_scheduler.jobs.context import JobContext
from notify_scheduler.jobs.replay_created import find_stuck_created, stuck_created_query
from notify_scheduler.runs import run_job
from notify_shared import queues
from notify_shared.bus import Bus
from notify_shared.config import Settings
from notify_shared.models import JobRun, Notification

from .conftest import collation_seconds_ago, consume

REPLAY = "replay-created-notifications"


def _replay(db, bus, **config) -> object:
    cfg = SchedulerConfig(replay_created_after_seconds=60, **config)
    return run_job(job_named(all_jobs(cfg), REPLAY), JobContext(db=db, bus=bus, config=cfg))


def test_only_old_created_email_and_sms_are_republished_to_their_send_queues(empty_db, bus, stuck):
    collation = collation_seconds_ago(empty_db, 3600)  # a letter created since then waits for the next one
    old_sms = stuck(notification_type="sms", age_seconds=600)
    old_email = stuck(notification_type="email", age_seconds=600)
    old_test_key_sms = stuck(notification_type="sms", age_seconds=600, key_type="test")
    stuck(notification_type="sms", age_seconds=5)  # recent: its first publish may still be on its way
    stuck(notification_type="sms", age_seconds=600, status="sending")  # already claimed by a sender
    stuck(notification_type="email", age_seconds=600, status="delivered")
    stuck(notification_type="letter", age_seconds=600)  # waiting for its collation, not stuck

    result = _replay(empty_db, bus, replay_batch_size=2, letter_collation_time=collation)

    assert result.ok and result.rows == 3
    received = consume(bus, [queues.SEND_SMS, queues.SEND_EMAIL, queues.RESEARCH_MODE], 3)
    assert sorted((q, e.kind, e.notification_id) for q, e in received) == sorted([
        (queues.SEND_SMS, "send-sms", str(old_sms)),
        (queues.SEND_EMAIL, "send-email", str(old_email)),
        (queues.RESEARCH_MODE, "send-sms", str(old_test_key_sms)),
    ])


def test_a_live_letter_is_replayed_only_once_the_collation_it_belonged_to_passed_the_replay_delay_ago(
        empty_db, bus, stuck):
    collation = collation_seconds_ago(empty_db, 300)
    missed = stuck(notification_type="letter", age_seconds=600)  # due 5 minutes ago, still created
    waiting = stuck(notification_type="letter", age_seconds=200)  # created after the cut-off: next collation
    test_key = stuck(notification_type="letter", age_seconds=200, key_type="test")  # never waits: by age

    result = _replay(empty_db, bus, letter_collation_time=collation)

    assert result.ok and result.rows == 2
    received = consume(bus, [queues.SEND_LETTER, queues.RESEARCH_MODE], 2)
    assert sorted((q, e.kind, e.notification_id) for q, e in received) == sorted([
        (queues.SEND_LETTER, "send-letter", str(missed)),
        (queues.RESEARCH_MODE, "send-letter", str(test_key)),
    ])
    assert str(waiting) not in {e.notification_id for _, e in received}


def test_letters_of_a_collation_that_just_ran_are_left_to_its_messages(empty_db, bus, stuck):
    collation = collation_seconds_ago(empty_db, 30)  # under the 60 s replay delay
    stuck(notification_type="letter", age_seconds=600)

    result = _replay(empty_db, bus, letter_collation_time=collation)

    assert result.ok and result.rows == 0


def test_each_run_is_recorded_with_its_row_count(empty_db, bus, stuck):
    stuck(age_seconds=600)

    result = _replay(empty_db, bus)

    with empty_db.session() as session:
        run = session.scalars(select(JobRun).where(JobRun.id == result.run_id)).one()
    assert (run.job_name, run.rows, run.error) == (REPLAY, 1, None)
    assert run.finished_at >= run.started_at


def test_a_bus_outage_is_recorded_as_a_failed_run_and_the_rows_stay_created(empty_db, settings, stuck):
    stuck(age_seconds=600)
    dead_bus = Bus(Settings(**{**settings.__dict__, "broker_url": "sqs://notify:notify@127.0.0.1:1",
                               "bus_publish_timeout_seconds": 1.0}))

    result = _replay(empty_db, dead_bus)

    assert not result.ok and result.rows == 0
    assert result.error.startswith("PublishError")
    with empty_db.session() as session:
        run = session.get(JobRun, result.run_id)
        assert run.error.startswith("PublishError") and run.finished_at is not None
        assert session.execute(text("SELECT count(*) FROM notifications WHERE status = 'created'")).scalar() == 1


def test_batches_walk_the_backlog_oldest_first_without_repeating_rows(empty_db, stuck):
    ids = [stuck(age_seconds=age) for age in (900, 800, 700, 600, 500)]

    with empty_db.session() as session:
        cutoff = session.scalar(text("SELECT now() - interval '60 seconds'"))
        seen, after = [], None
        while batch := find_stuck_created(session, created_before=cutoff, limit=2, after=after):
            seen += [row.id for row in batch]
            after = (batch[-1].created_at, batch[-1].id)

    assert seen == ids


def test_the_stuck_row_scan_uses_the_partial_status_index_for_every_batch(empty_db, stuck):
    first = stuck(age_seconds=600)
    with empty_db.session() as session:
        cutoff = session.scalar(text("SELECT now()"))
        after = session.execute(select(Notification.created_at, Notification.id).where(Notification.id == first)).one()
        # The table is tiny, so forbid the sequential scan the planner would rightly prefer here.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plans = []
        for keyset in (None, tuple(after)):
            compiled = stuck_created_query(created_before=cutoff, letters_before=cutoff, limit=500,
                                           after=keyset).compile(
                dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True})
            cursor = session.connection().connection.cursor()
            cursor.execute("EXPLAIN " + str(compiled), compiled.params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))

    assert all("ix_notifications_unfinished_status_created" in plan for plan in plans), plans
