from notify_scheduler.app import job_slots
from notify_shared.config import Settings


def test_jobs_run_at_once_only_as_far_as_the_pool_has_connections_beside_the_ticks_own():
    assert job_slots(Settings(db_pool_size=2, db_max_overflow=0), 7) == 1
    assert job_slots(Settings(db_pool_size=5, db_max_overflow=2), 7) == 6
    assert job_slots(Settings(db_pool_size=20, db_max_overflow=0), 7) == 7
    assert job_slots(Settings(db_pool_size=1, db_max_overflow=0), 7) == 1
