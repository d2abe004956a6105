"""The processes that make up the stack, named once for `make run` and the end-to-end tests."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Ports:
    api: int = 6011
    status_receiver: int = 6012
    simulator: int = 6013
    sender_health: int = 6021
    receipts_worker_health: int = 6022
    callbacks_worker_health: int = 6023
    scheduler_health: int = 6024


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    health_url: str | None = None


def process_specs(ports: Ports, python: str = sys.executable) -> list[ProcessSpec]:
    sim = f"http://127.0.0.1:{ports.simulator}"

    def gunicorn(module: str) -> list[str]:
        return [python, "-m", "gunicorn", "-c", f"python:{module}.gunicorn_config", f"{module}.wsgi:application"]

    def live(port: int) -> str:
        return f"http://127.0.0.1:{port}/_status/live"

    return [
        ProcessSpec(
            "simulator", [python, "-m", "notify_simulator"],
            {"SIMULATOR_PORT": str(ports.simulator),
             "SIMULATOR_RECEIPT_BASE_URL": f"http://127.0.0.1:{ports.status_receiver}"},
            f"{sim}/_status/live",
        ),
        ProcessSpec("api", gunicorn("notify_api"), {"PORT": str(ports.api)}, live(ports.api)),
        ProcessSpec("status-receiver", gunicorn("notify_status_receiver"), {"PORT": str(ports.status_receiver)},
                    live(ports.status_receiver)),
        ProcessSpec("receipts-worker", [python, "-m", "notify_status_receiver.receipts_worker"],
                    {"HEALTH_PORT": str(ports.receipts_worker_health)}, live(ports.receipts_worker_health)),
        ProcessSpec("callbacks-worker", [python, "-m", "notify_status_receiver.callbacks_worker"],
                    {"HEALTH_PORT": str(ports.callbacks_worker_health)}, live(ports.callbacks_worker_health)),
        ProcessSpec(
            "sender", [python, "-m", "notify_sender"],
            {"HEALTH_PORT": str(ports.sender_health),
             "MMG_URL": f"{sim}/mmg", "MMG_API_KEY": "dev-mmg-key",
             "FIRETEXT_URL": f"{sim}/firetext", "FIRETEXT_API_KEY": "dev-firetext-key",
             "FIRETEXT_INTERNATIONAL_API_KEY": "dev-firetext-intl-key",
             "SES_ENDPOINT_URL": f"{sim}/ses", "SES_REGION": "eu-west-2",
             "SES_ACCESS_KEY_ID": "dev-ses", "SES_SECRET_ACCESS_KEY": "dev-ses-secret",
             "SIMULATOR_URL": sim},
            live(ports.sender_health),
        ),
        ProcessSpec("scheduler", [python, "-m", "notify_scheduler"],
                    {"HEALTH_PORT": str(ports.scheduler_health)}, live(ports.scheduler_health)),
    ]
