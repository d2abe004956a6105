"""Fixtures for admin tests: one real API process with the admin API on, an admin HTTP client, and the
`notify-admin` CLI run as a subprocess against the test database."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jwt
import pytest
import requests
from notifications_python_client.notifications import NotificationsAPIClient

from notify_devstack.infra import free_port
from notify_devstack.processes import Ports, process_specs
from notify_testkit.fixtures import TEST_SECRET_KEY
from notify_testkit.processes import ProcessGroup

ADMIN_CLIENT_ID = "notify-admin"
ADMIN_SECRET = "admin-secret-for-tests-only-0123456789"
# As in tests/conftest.py: small, and no keep-alive so gunicorn stops at once.
TEST_API_ENV = {"GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "4", "GUNICORN_KEEPALIVE_SECONDS": "0"}


def make_admin_token(*, secret: str = ADMIN_SECRET, iss: object = ADMIN_CLIENT_ID, iat: float | None = None,
                algorithm: str = "HS256") -> str:
    return jwt.encode({"iss": iss, "iat": int(time.time() if iat is None else iat)}, secret, algorithm=algorithm)


@dataclass
class RunningApi:
    url: str
    log_path: Path

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="session")
def admin_api(database_url, broker_url, tmp_path_factory) -> RunningApi:
    """The API exactly as the stack starts it (the `api` ProcessSpec), with an admin secret, for every admin test."""
    ports = Ports(**{name: free_port() for name in Ports.__dataclass_fields__})
    spec = next(s for s in process_specs(ports) if s.name == "api")
    env = {
        "DATABASE_URL": database_url,
        "BROKER_URL": broker_url,
        "NOTIFICATION_QUEUE_PREFIX": f"a{uuid.uuid4().hex[:10]}-",
        "SECRET_KEY": TEST_SECRET_KEY,
        "LOG_FORMAT": "console",
        "AWS_ACCESS_KEY_ID": "notify",
        "AWS_SECRET_ACCESS_KEY": "notify",
        "ADMIN_CLIENT_SECRET": ADMIN_SECRET,
        **TEST_API_ENV,
    }
    log_dir = tmp_path_factory.mktemp("admin-api")
    group = ProcessGroup(log_dir, env)
    group.start(spec)
    yield RunningApi(f"http://127.0.0.1:{ports.api}", log_dir / "api.log")
    group.stop_all()


class AdminClient:
    """requests against /admin with a fresh admin token on every call."""

    def __init__(self, origin: str):
        self.origin = origin

    def request(self, method: str, path: str, *, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {token or make_admin_token()}", **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.origin}/admin{path}", headers=headers, timeout=10, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: object = None, **kwargs) -> requests.Response:
        return self.request("POST", path, json=body, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def create_service(self, **fields) -> dict:
        body = {"name": f"Admin test {uuid.uuid4().hex[:10]}", **fields}
        response = self.post("/services", body)
        assert response.status_code == 201, response.text
        return response.json()["data"]


@pytest.fixture
def admin(admin_api) -> AdminClient:
    return AdminClient(admin_api.url)


@pytest.fixture
def official_client(admin_api) -> Callable[[str], NotificationsAPIClient]:
    """The official GOV.UK Notify client, pointed at the same API process, to prove keys made here work."""
    return lambda api_key: NotificationsAPIClient(api_key, base_url=admin_api.url)


@pytest.fixture
def admin_token() -> Callable[..., str]:
    """Build admin tokens, bending one rule at a time (secret, iss, iat, algorithm)."""
    return make_admin_token


@pytest.fixture
def admin_secret() -> str:
    return ADMIN_SECRET


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def data(self):
        return json.loads(self.stdout)["data"]

    @property
    def error(self) -> dict:
        return json.loads(self.stderr.strip().splitlines()[-1])


def _cli_argv() -> list[str]:
    script = Path(sys.executable).parent / "notify-admin"
    # The installed console script when the package is installed with its entry points, else the module.
    return [str(script)] if script.exists() else [sys.executable, "-m", "notify_api.cli"]


@pytest.fixture(scope="session")
def notify_admin(database_url) -> Callable[..., CliResult]:
    """Run `notify-admin ARGS...` against the test database; returns exit code, stdout and stderr."""

    def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> CliResult:
        # Only what the test gives: a stray CALLBACK_BEARER_TOKEN or ALLOW_HTTP_CALLBACKS would change the outcome.
        inherited = {k: v for k, v in os.environ.items() if k not in ("CALLBACK_BEARER_TOKEN", "ALLOW_HTTP_CALLBACKS")}
        full_env = {**inherited, "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET_KEY,
                    "LOG_FORMAT": "console", **(env or {})}
        done = subprocess.run([*_cli_argv(), *args], env=full_env, input=stdin, capture_output=True, text=True,
                              timeout=60)
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run
