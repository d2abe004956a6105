"""Local infrastructure without Docker: embedded PostgreSQL (pgserver) and an SQS emulator (moto)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from notify_shared.config import normalise_database_url

LOCAL_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_http(url: str, timeout: float = 30.0, expect_status: int | None = 200) -> None:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if expect_status is None or resp.status == expect_status:
                    return
                last = resp.status
        except urllib.error.HTTPError as exc:
            if expect_status is None:
                return
            last = exc.code
        except OSError as exc:
            last = exc
        time.sleep(0.1)
    raise TimeoutError(f"{url} not answering after {timeout}s (last: {last})")


class EmbeddedPostgres:
    """PostgreSQL 16 from the pgserver wheel, on a Unix socket in `datadir`."""

    def __init__(self, datadir: Path):
        self.datadir = Path(datadir)
        self._server = None

    def start(self) -> str:
        import pgserver  # noqa: PLC0415 - heavy import only when the embedded server is wanted

        self.datadir.mkdir(parents=True, exist_ok=True)
        self._server = pgserver.get_server(self.datadir, cleanup_mode="stop")
        return self._server.get_uri()

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


def create_database(server_url: str, name: str) -> str:
    """CREATE DATABASE `name` on the server of `server_url`; returns the new database's URL."""
    url = make_url(normalise_database_url(server_url))
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    url = make_url(normalise_database_url(server_url))
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def database_reachable(url: str) -> bool:
    engine = create_engine(normalise_database_url(url), connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not usable"
        return False
    finally:
        engine.dispose()


class SqsEmulator:
    """moto's server in its own process, bound to 127.0.0.1 only."""

    def __init__(self, port: int | None = None, log_path: Path | None = None):
        self.port = port or free_port()
        self.log_path = log_path
        self._proc: subprocess.Popen | None = None

    @property
    def broker_url(self) -> str:
        return f"sqs://notify:notify@127.0.0.1:{self.port}"

    def start(self) -> str:
        moto = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        env = {**os.environ, "AWS_ACCESS_KEY_ID": "notify", "AWS_SECRET_ACCESS_KEY": "notify"}
        self._proc = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(self.port)], stdout=out,
                                      stderr=subprocess.STDOUT, env=env, start_new_session=True)
        wait_for_http(f"http://127.0.0.1:{self.port}/moto-api/", timeout=30, expect_status=None)
        return self.broker_url

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait()
        self._proc = None
