import random

from notify_scheduler.leader import LeaderLock, current_leader, instance_identity


def _key() -> int:
    return random.randint(1, 2**62)


def test_only_one_lock_holder_at_a_time_and_release_lets_another_take_over(settings, db):
    key = _key()
    first, second = LeaderLock(settings, key), LeaderLock(settings, key)
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        assert first.still_held()

        first.release()

        assert second.try_acquire()
        with db.engine.connect() as conn:
            assert current_leader(conn, key) == instance_identity()
    finally:
        first.dispose()
        second.dispose()


def test_a_lock_whose_session_was_terminated_is_noticed_as_lost(settings, db):
    key = _key()
    lock, rival = LeaderLock(settings, key), LeaderLock(settings, key)
    try:
        assert lock.try_acquire()
        with db.engine.connect() as conn:
            # An operator (or a network failure) ends the leader's session: its lock goes with it.
            conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE "
                "'scheduler-leader %%' AND datname = current_database()")
            conn.commit()

        assert not lock.still_held()
        assert rival.try_acquire()
    finally:
        lock.dispose()
        rival.dispose()
