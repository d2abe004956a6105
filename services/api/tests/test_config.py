import importlib
import sys

import pytest

from notify_api.config import ApiSettings


def load_gunicorn_config(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("notify_api.gunicorn_config", None)
    return importlib.import_module("notify_api.gunicorn_config")


def test_gunicorn_binds_localhost_on_port_6011_with_the_probe_first_worker_by_default(monkeypatch):
    for name in ("PORT", "HOST", "GUNICORN_WORKERS", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)

    config = load_gunicorn_config(monkeypatch)

    assert (config.bind, config.workers, config.threads) == ("127.0.0.1:6011", 2, 8)
    assert config.worker_class == "notify_shared.gunicorn_worker.ProbeFirstWorker"
    assert config.control_socket_disable is True


def test_gunicorn_takes_every_knob_from_the_environment(monkeypatch):
    config = load_gunicorn_config(
        monkeypatch, HOST="0.0.0.0", PORT="8080", GUNICORN_WORKERS="3", GUNICORN_THREADS="16",
        GUNICORN_TIMEOUT_SECONDS="45", GUNICORN_KEEPALIVE_SECONDS="5", GUNICORN_BACKLOG="64",
        GUNICORN_GRACEFUL_TIMEOUT_SECONDS="20")

    assert config.bind == "0.0.0.0:8080"
    assert (config.workers, config.threads, config.timeout, config.keepalive, config.backlog,
            config.graceful_timeout) == (3, 16, 45, 5, 64, 20)


def test_the_database_pool_matches_the_thread_count_unless_set(monkeypatch):
    monkeypatch.setenv("GUNICORN_THREADS", "12")
    monkeypatch.delenv("DB_POOL_SIZE", raising=False)
    assert ApiSettings.from_env().db_pool_size == 12

    monkeypatch.setenv("DB_POOL_SIZE", "4")
    assert ApiSettings.from_env().db_pool_size == 4


def test_settings_that_cannot_work_are_refused_at_start(monkeypatch):
    monkeypatch.setenv("API_PAGE_SIZE", "0")

    with pytest.raises(ValueError, match="API_PAGE_SIZE"):
        ApiSettings.from_env().validate()
