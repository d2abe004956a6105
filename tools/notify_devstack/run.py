"""`make run`: the whole platform on one machine with embedded defaults, in the foreground.

Starts an embedded PostgreSQL unless DATABASE_URL is set and an SQS emulator unless BROKER_URL is
set, migrates, seeds the demo service, then supervises every process with prefixed logs. One
Ctrl-C stops everything; a process that dies is restarted with backoff, as a platform would.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from notify_shared.config import Settings, normalise_database_url, redact_url
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.migrate import upgrade

from .infra import EmbeddedPostgres, SqsEmulator, create_database, free_port, port_open, wait_for_http
from .processes import Ports, ProcessSpec, process_specs
from .seed import example_snippet, seed_demo, write_seed_file

COLOURS = ["\033[36m", "\033[35m", "\033[33m", "\033[32m", "\033[34m", "\033[31m", "\033[96m", "\033[95m"]
RESET = "\033[0m"
DEV_SECRET_KEY = "dev-only-secret-key-change-me"
DEV_ADMIN_CLIENT_SECRET = "dev-only-admin-client-secret-change-me"


def say(message: str) -> None:
    print(f"notify | {message}", flush=True)


class Child:
    def __init__(self, spec: ProcessSpec, env: dict[str, str], colour: str, width: int):
        self.spec = spec
        self.env = env
        self.label = f"{colour}{spec.name:<{width}}{RESET} | " if sys.stdout.isatty() else f"{spec.name:<{width}} | "
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        self.next_start = 0.0

    def start(self) -> None:
        env = {**self.env, **self.spec.env, "NOTIFY_SERVICE_NAME": self.spec.name}
        # Own session: Ctrl-C reaches only the supervisor, which stops children in order.
        self.proc = subprocess.Popen(self.spec.argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        threading.Thread(target=self._pump, args=(self.proc,), daemon=True).start()

    def _pump(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            sys.stdout.write(self.label + raw.decode(errors="replace"))
            sys.stdout.flush()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass


class Stack:
    def __init__(self, root: Path):
        self.root = root
        self.var = Path(os.environ.get("NOTIFY_VAR_DIR", root / "var"))
        self.postgres: EmbeddedPostgres | None = None
        self.sqs: SqsEmulator | None = None
        self.children: list[Child] = []
        self.stopping = threading.Event()

    def infrastructure(self) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("SECRET_KEY", DEV_SECRET_KEY)
        env.setdefault("ADMIN_CLIENT_SECRET", DEV_ADMIN_CLIENT_SECRET)
        env.setdefault("NOTIFICATION_QUEUE_PREFIX", "dev-")
        env.setdefault("LOG_FORMAT", "console")
        env.setdefault("REPLAY_CREATED_AFTER_SECONDS", "30")
        env.setdefault("AWS_ACCESS_KEY_ID", "notify")
        env.setdefault("AWS_SECRET_ACCESS_KEY", "notify")
        if not env.get("DATABASE_URL"):
            self.postgres = EmbeddedPostgres(self.var / "pgdata")
            say(f"starting embedded PostgreSQL in {self.var / 'pgdata'}")
            env["DATABASE_URL"] = create_database(self.postgres.start(), "notify")
        if not env.get("BROKER_URL"):
            port = int(env.get("SQS_EMULATOR_PORT", "4566"))
            self.sqs = SqsEmulator(port if not port_open("127.0.0.1", port) else free_port(),
                                   log_path=self.var / "sqs-emulator.log")
            self.var.mkdir(parents=True, exist_ok=True)
            say(f"starting SQS emulator on 127.0.0.1:{self.sqs.port}")
            env["BROKER_URL"] = self.sqs.start()
        say(f"database {redact_url(env['DATABASE_URL'])}")
        say(f"bus {redact_url(env['BROKER_URL'])} (queue prefix {env['NOTIFICATION_QUEUE_PREFIX']!r})")
        return env

    def prepare(self, env: dict[str, str], api_url: str) -> Path:
        upgrade(env["DATABASE_URL"])
        db = Database(Settings(database_url=normalise_database_url(env["DATABASE_URL"]), db_pool_size=1))
        try:
            seed = seed_demo(db, SecretBox(env["SECRET_KEY"]))
        finally:
            db.dispose()
        path = self.var / "dev-seed.json"
        write_seed_file(path, api_url, seed)
        return path

    def start_children(self, env: dict[str, str], ports: Ports) -> None:
        specs = process_specs(ports)
        width = max(len(s.name) for s in specs)
        for i, spec in enumerate(specs):
            child = Child(spec, env, COLOURS[i % len(COLOURS)], width)
            child.start()
            self.children.append(child)

    def wait_live(self) -> None:
        for child in self.children:
            if child.spec.health_url and not self.stopping.is_set():
                wait_for_http(child.spec.health_url, timeout=60)

    def supervise(self) -> None:
        while not self.stopping.wait(0.5):
            for child in self.children:
                if child.alive() or self.stopping.is_set():
                    continue
                now = time.monotonic()
                if child.next_start == 0.0:
                    child.restarts += 1
                    delay = min(2 ** child.restarts, 30)
                    child.next_start = now + delay
                    say(f"{child.spec.name} exited with {child.proc.returncode}; restarting in {delay}s")
                elif now >= child.next_start:
                    child.next_start = 0.0
                    child.start()

    def shutdown(self) -> None:
        self.stopping.set()
        for child in self.children:
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + 8
        while any(c.alive() for c in self.children) and time.monotonic() < deadline:
            time.sleep(0.1)
        for child in self.children:
            child.signal(signal.SIGKILL)
            if child.proc is not None:
                child.proc.wait()
        if self.sqs is not None:
            self.sqs.stop()
        if self.postgres is not None:
            self.postgres.stop()
        say("stopped")


def main() -> int:
    root = Path(os.environ.get("NOTIFY_ROOT", Path.cwd()))
    stack = Stack(root)
    ports = Ports()

    def on_signal(signum, _frame):
        stack.stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        for port in (ports.api, ports.status_receiver, ports.simulator):
            if port_open("127.0.0.1", port):
                say(f"port {port} is already in use: is another `make run` running?")
                return 1
        env = stack.infrastructure()
        api_url = f"http://127.0.0.1:{ports.api}"
        seed_path = stack.prepare(env, api_url)
        stack.start_children(env, ports)
        stack.wait_live()
        say(f"ready: API on {api_url}, status receiver on http://127.0.0.1:{ports.status_receiver}")
        say(f"demo service, key and template ids: {seed_path}")
        say("send a text message with the official client:\n" + example_snippet(seed_path))
        say("press Ctrl-C to stop everything")
        stack.supervise()
    except Exception as exc:  # noqa: BLE001 - report, then tear down what was started
        if not stack.stopping.is_set():
            say(f"failed to start: {type(exc).__name__}: {exc}")
            stack.shutdown()
            return 1
    stack.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
