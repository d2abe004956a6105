"""The versioned JSON message every queue carries. Ids only: never personal data."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1


class EnvelopeError(ValueError):
    """A message that is not a notify envelope we understand; consumers log and drop it."""


@dataclass(frozen=True)
class Envelope:
    kind: str
    notification_id: str | None = None
    attempt: int = 0
    request_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    message_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        # Built by hand: dataclasses.asdict deep-copies every value, a visible cost on the webhook's hot path.
        return {"kind": self.kind, "notification_id": self.notification_id, "attempt": self.attempt,
                "request_id": self.request_id, "payload": dict(self.payload), "message_id": self.message_id,
                "version": self.version}

    def next_attempt(self, **payload: Any) -> Envelope:
        return Envelope(
            kind=self.kind,
            notification_id=self.notification_id,
            attempt=self.attempt + 1,
            request_id=self.request_id,
            payload={**self.payload, **payload},
        )

    @classmethod
    def from_dict(cls, data: Any) -> Envelope:
        if not isinstance(data, dict):
            raise EnvelopeError("message body is not a JSON object")
        version = data.get("version")
        if version != SCHEMA_VERSION:
            raise EnvelopeError(f"unsupported envelope version {version!r}")
        kind = data.get("kind")
        if not isinstance(kind, str) or not kind:
            raise EnvelopeError("envelope has no kind")
        payload = data.get("payload")
        payload = {} if payload is None else payload
        if not isinstance(payload, dict):
            raise EnvelopeError("envelope payload is not an object")
        return cls(
            kind=kind,
            notification_id=data.get("notification_id"),
            attempt=int(data.get("attempt") or 0),
            request_id=data.get("request_id"),
            payload=payload,
            message_id=str(data.get("message_id") or uuid.uuid4()),
            version=version,
        )
