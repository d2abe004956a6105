import pytest

from notify_scheduler.config import SchedulerConfig, parse_resting_priorities


def test_job_thresholds_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SENDING_TIMEOUT_SECONDS", "3600")
    monkeypatch.setenv("STALE_CLAIM_SECONDS", "1200")
    monkeypatch.setenv("STALE_CLAIM_MAX_RECOVERIES", "5")
    monkeypatch.setenv("SMS_PROVIDER_RESTING_PRIORITIES", "mmg=60, firetext=40")
    monkeypatch.setenv("REPORTING_TIMEZONE", "UTC")

    config = SchedulerConfig.from_env()

    assert (config.sending_timeout_seconds, config.stale_claim_seconds, config.stale_claim_max_recoveries) == (
        3600, 1200, 5)
    assert config.sms_resting_priorities == {"mmg": 60, "firetext": 40}
    assert config.reporting_timezone == "UTC"


@pytest.mark.parametrize(("name", "value"), [
    ("SMS_PROVIDER_RESTING_PRIORITIES", "mmg=70,firetext=40"),  # must sum to 100
    ("SMS_PROVIDER_RESTING_PRIORITIES", "mmg=95,firetext=5"),  # each between 10 and 90
    ("SMS_PROVIDER_RESTING_PRIORITIES", "mmg"),
    ("REPORTING_TIMEZONE", "Mars/Olympus_Mons"),
    ("SMS_SLOW_DELIVERY_THRESHOLD", "1.5"),
    ("RETENTION_BATCH_SIZE", "0"),
])
def test_impossible_settings_stop_the_scheduler_at_start(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError):
        SchedulerConfig.from_env()


def test_resting_priorities_parse_name_equals_priority_pairs():
    assert parse_resting_priorities("") == {}
    assert parse_resting_priorities("mmg=50,firetext=50") == {"mmg": 50, "firetext": 50}
