"""What the simulator remembers at run time: behaviour knobs (changed by POST /_config) and sends."""
from __future__ import annotations

import random
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .settings import SimulatorSettings

PROVIDERS = ("mmg", "firetext", "ses")


class ConfigError(ValueError):
    """A POST /_config body we cannot apply; answered with 400 and nothing changed."""


@dataclass
class ProviderOverride:
    fail: bool = False
    status: int = 500
    latency_ms: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"fail": self.fail, "status": self.status, "latency_ms": self.latency_ms}


@dataclass(frozen=True)
class Behaviour:
    """How to answer one request: wait this long, then answer with `fail_status` or succeed."""

    latency_seconds: float
    fail_status: int | None


@dataclass
class RuntimeConfig:
    latency_ms: int
    failure_rate: float
    receipt_delay_seconds: float
    receipts_enabled: bool = True
    providers: dict[str, ProviderOverride] = field(default_factory=lambda: {p: ProviderOverride() for p in PROVIDERS})

    @classmethod
    def from_settings(cls, settings: SimulatorSettings) -> RuntimeConfig:
        return cls(settings.latency_ms, settings.failure_rate, settings.receipt_delay_seconds)

    def to_dict(self) -> dict[str, Any]:
        return {
            "latency_ms": self.latency_ms,
            "failure_rate": self.failure_rate,
            "receipt_delay_seconds": self.receipt_delay_seconds,
            "receipts_enabled": self.receipts_enabled,
            "providers": {name: p.to_dict() for name, p in self.providers.items()},
        }


class RuntimeState:
    """Thread-safe holder of the knobs; every request reads them, /_config writes them."""

    def __init__(self, settings: SimulatorSettings):
        self.settings = settings
        self._lock = threading.Lock()
        self._config = RuntimeConfig.from_settings(settings)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return self._config.to_dict()

    def receipt_delay(self) -> float | None:
        """Seconds before a receipt is posted, or None when receipts are switched off."""
        with self._lock:
            return self._config.receipt_delay_seconds if self._config.receipts_enabled else None

    def behaviour(self, provider: str) -> Behaviour:
        with self._lock:
            override = self._config.providers[provider]
            latency_ms = override.latency_ms if override.latency_ms is not None else self._config.latency_ms
            if override.fail:
                fail_status: int | None = override.status
            elif self._config.failure_rate and random.random() < self._config.failure_rate:
                fail_status = 500
            else:
                fail_status = None
        return Behaviour(max(0, latency_ms) / 1000.0, fail_status)

    def reset(self) -> None:
        with self._lock:
            self._config = RuntimeConfig.from_settings(self.settings)

    def update(self, changes: Any) -> dict[str, Any]:
        """Apply a partial config; validated as a whole first so a bad body changes nothing."""
        if not isinstance(changes, dict):
            raise ConfigError("config body must be a JSON object")
        with self._lock:
            candidate = RuntimeConfig(
                self._config.latency_ms, self._config.failure_rate, self._config.receipt_delay_seconds,
                self._config.receipts_enabled,
                {name: ProviderOverride(**p.to_dict()) for name, p in self._config.providers.items()},
            )
            _apply(candidate, changes)
            self._config = candidate
            return candidate.to_dict()


def _number(value: Any, name: str, *, low: float = 0.0, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ConfigError(f"{name} must be {bounds}")
    return value


def _apply(config: RuntimeConfig, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if key == "latency_ms":
            config.latency_ms = int(_number(value, key))
        elif key == "failure_rate":
            config.failure_rate = float(_number(value, key, high=1.0))
        elif key == "receipt_delay_seconds":
            config.receipt_delay_seconds = float(_number(value, key))
        elif key == "receipts_enabled":
            if not isinstance(value, bool):
                raise ConfigError("receipts_enabled must be true or false")
            config.receipts_enabled = value
        elif key == "providers":
            if not isinstance(value, dict):
                raise ConfigError("providers must be an object")
            for name, override in value.items():
                _apply_provider(config, name, override)
        else:
            raise ConfigError(f"unknown config key {key!r}")


def _apply_provider(config: RuntimeConfig, name: str, override: Any) -> None:
    if name not in config.providers:
        raise ConfigError(f"unknown provider {name!r} (known: {', '.join(PROVIDERS)})")
    if not isinstance(override, dict):
        raise ConfigError(f"providers.{name} must be an object")
    target = config.providers[name]
    for key, value in override.items():
        if key == "fail":
            if not isinstance(value, bool):
                raise ConfigError(f"providers.{name}.fail must be true or false")
            target.fail = value
        elif key == "status":
            target.status = int(_number(value, f"providers.{name}.status", low=400, high=599))
        elif key == "latency_ms":
            target.latency_ms = None if value is None else int(_number(value, f"providers.{name}.latency_ms"))
        else:
            raise ConfigError(f"unknown key providers.{name}.{key}")


class SendLog:
    """Counts of accepted sends per notification id, plus the most recent requests for inspection."""

    def __init__(self, max_messages: int):
        self._lock = threading.Lock()
        self._sends: Counter[str] = Counter()
        self._by_provider: Counter[str] = Counter()
        self._rejected: Counter[str] = Counter()
        self._messages: deque[dict[str, Any]] = deque(maxlen=max_messages)
        self._most_for_one_key = 0

    def record_send(self, provider: str, key: str, provider_reference: str, request: dict[str, Any]) -> None:
        entry = {
            "provider": provider,
            "id": key,
            "provider_reference": provider_reference,
            "received_at": datetime.now(UTC).isoformat(),
            "request": request,
        }
        with self._lock:
            self._sends[key] += 1
            self._most_for_one_key = max(self._most_for_one_key, self._sends[key])
            self._by_provider[provider] += 1
            self._messages.append(entry)

    def record_rejected(self, provider: str) -> None:
        with self._lock:
            self._rejected[provider] += 1

    def stats(self, *, brief: bool = False) -> dict[str, Any]:
        """Counts; `brief` leaves out the per-id map, which benchmarks poll at thousands of ids."""
        with self._lock:
            body: dict[str, Any] = {
                "total": sum(self._by_provider.values()),
                "distinct": len(self._sends),
                "most_for_one_id": self._most_for_one_key,
                "by_provider": dict(self._by_provider),
                "rejected": dict(self._rejected),
                "at": time.time(),
            }
            if not brief:
                body["sends"] = dict(self._sends)
            return body

    def messages(self, key: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self._messages if key is None or m["id"] == key]

    def reset(self) -> None:
        with self._lock:
            self._sends.clear()
            self._most_for_one_key = 0
            self._by_provider.clear()
            self._rejected.clear()
            self._messages.clear()
