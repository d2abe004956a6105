import pytest

from notify_shared.config import Settings, normalise_database_url, redact_url


def test_plain_libpq_urls_get_the_psycopg2_driver():
    assert normalise_database_url("postgresql://u@h:5432/db") == "postgresql+psycopg2://u@h:5432/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg2://u@h/db"
    assert normalise_database_url("postgresql+psycopg2://u@h/db") == "postgresql+psycopg2://u@h/db"


def test_passwords_never_reach_logs():
    assert redact_url("sqs://AKIA:supersecret@sqs.eu-west-2.amazonaws.com") == "sqs://AKIA:***@sqs.eu-west-2.amazonaws.com"
    assert redact_url("postgresql://postgres@127.0.0.1/db") == "postgresql://postgres@127.0.0.1/db"
    redacted = Settings(secret_key="k", database_url="postgresql://u:pw@h/db").redacted()
    assert redacted["secret_key"] == "***" and "pw" not in str(redacted)


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DB_POOL_SIZE", "12")
    monkeypatch.setenv("NOTIFICATION_QUEUE_PREFIX", "prod-")
    settings = Settings.from_env("api")
    assert (settings.db_pool_size, settings.queue_prefix, settings.service_name) == (12, "prod-", "api")


def test_a_bad_number_in_the_environment_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DB_POOL_SIZE", "lots")
    with pytest.raises(ValueError, match="DB_POOL_SIZE must be an integer"):
        Settings.from_env()
