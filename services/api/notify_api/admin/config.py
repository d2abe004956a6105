"""The admin API's settings, read from the environment once when the app is built (and by the CLI)."""
from __future__ import annotations

from dataclasses import dataclass

from notify_shared.config import _bool, _env

DEFAULT_CLIENT_ID = "notify-admin"
# HS256 keys shorter than the hash output weaken the signature; 32 characters is what
# `python -c 'import secrets; print(secrets.token_urlsafe(32))'` comfortably exceeds.
MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class AdminSettings:
    enabled: bool = True
    client_id: str = DEFAULT_CLIENT_ID
    # Several secrets (comma-separated) let ops rotate: add the new one, move clients over, drop the old.
    client_secrets: tuple[str, ...] = ()
    allow_http_callbacks: bool = False

    @classmethod
    def from_env(cls) -> AdminSettings:
        raw_secrets = _env("ADMIN_CLIENT_SECRET", "")
        return cls(
            enabled=_bool("ADMIN_API_ENABLED", True),
            client_id=_env("ADMIN_CLIENT_ID", DEFAULT_CLIENT_ID),
            client_secrets=tuple(s.strip() for s in raw_secrets.split(",") if s.strip()),
            allow_http_callbacks=_bool("ALLOW_HTTP_CALLBACKS", False),
        )

    def validate(self) -> AdminSettings:
        short = [s for s in self.client_secrets if len(s) < MIN_SECRET_LENGTH]
        if self.enabled and short:
            raise ValueError(f"ADMIN_CLIENT_SECRET must be at least {MIN_SECRET_LENGTH} characters")
        return self

    def redacted(self) -> dict[str, object]:
        return {"enabled": self.enabled, "client_id": self.client_id,
                "client_secrets": len(self.client_secrets), "allow_http_callbacks": self.allow_http_callbacks}
