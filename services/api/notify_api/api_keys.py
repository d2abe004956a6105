"""A service and its API keys as authentication needs them, cached briefly per process.

Every request authenticates, so loading the service and decrypting its key secrets on each one would
double intake's database round trips and CPU. Entries live for API_KEY_CACHE_SECONDS (10 s by default):
a revoked key or a changed permission takes effect within that window.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.logging import get_logger
from notify_shared.models import ApiKey, Service, ServiceEmailReplyTo, ServiceSmsSender, utcnow

log = get_logger(__name__)

# Notify keeps trying keys revoked in the last 7 days, so their callers get "API key revoked" rather
# than "API key not found".
REVOKED_KEYS_RECOGNISED_FOR = timedelta(days=7)


@dataclass(frozen=True)
class CallerKey:
    id: uuid.UUID
    secret: str
    key_type: str
    expiry_date: datetime | None

    @property
    def revoked(self) -> bool:
        return self.expiry_date is not None


@dataclass(frozen=True)
class ServiceCredentials:
    id: uuid.UUID
    name: str
    active: bool
    restricted: bool
    permissions: frozenset[str]
    email_sender_local_part: str
    prefix_sms: bool
    default_sms_sender: str | None
    default_reply_to: str | None
    keys: tuple[CallerKey, ...]
    rate_limit: int = 3000
    # Per channel: sms, email, letter, international_sms.
    daily_limits: Mapping[str, int] = field(default_factory=dict)

    def has_permission(self, permission: str) -> bool:
        return permission in self.permissions


def load_service_credentials(session: Session, box: SecretBox, service_id: uuid.UUID) -> ServiceCredentials | None:
    service = session.execute(select(Service).where(Service.id == service_id)).scalar_one_or_none()
    if service is None:
        return None
    recognised_since = utcnow() - REVOKED_KEYS_RECOGNISED_FOR
    key_rows = session.execute(
        select(ApiKey.id, ApiKey.secret, ApiKey.key_type, ApiKey.expiry_date)
        .where(ApiKey.service_id == service_id,
               or_(ApiKey.expiry_date.is_(None), ApiKey.expiry_date > recognised_since))
        .order_by(ApiKey.created_at)
    ).all()
    sms_sender = session.execute(
        select(ServiceSmsSender.sms_sender)
        .where(ServiceSmsSender.service_id == service_id, ServiceSmsSender.is_default.is_(True),
               ServiceSmsSender.archived.is_(False))
        .limit(1)
    ).scalar_one_or_none()
    reply_to = session.execute(
        select(ServiceEmailReplyTo.email_address)
        .where(ServiceEmailReplyTo.service_id == service_id, ServiceEmailReplyTo.is_default.is_(True),
               ServiceEmailReplyTo.archived.is_(False))
        .limit(1)
    ).scalar_one_or_none()
    return ServiceCredentials(
        id=service.id,
        name=service.name,
        active=service.active,
        restricted=service.restricted,
        permissions=frozenset(service.permissions or ()),
        email_sender_local_part=service.email_sender_local_part,
        prefix_sms=service.prefix_sms,
        default_sms_sender=sms_sender,
        default_reply_to=reply_to,
        keys=tuple(_decrypted_keys(box, key_rows)),
        rate_limit=service.rate_limit,
        daily_limits=MappingProxyType({
            "sms": service.sms_message_limit,
            "email": service.email_message_limit,
            "letter": service.letter_message_limit,
            "international_sms": service.international_sms_message_limit,
        }),
    )


def _decrypted_keys(box: SecretBox, rows) -> list[CallerKey]:  # noqa: ANN001 - SQLAlchemy rows
    keys = []
    for row in rows:
        try:
            secret = box.decrypt(row.secret)
        except ValueError:
            # Encrypted under another SECRET_KEY: it can never match a token, and the operator must know.
            log.error("api_key_secret_undecryptable", api_key_id=str(row.id))
            continue
        keys.append(CallerKey(id=row.id, secret=secret, key_type=row.key_type, expiry_date=row.expiry_date))
    return keys


@dataclass(frozen=True)
class Caller:
    """Who is calling: the service and the key that signed the token."""

    service: ServiceCredentials
    api_key_id: uuid.UUID
    key_type: str


@dataclass(frozen=True)
class _Entry:
    value: ServiceCredentials | None
    expires_at: float


class CredentialsCache:
    """Per-process, per-service cache. Unknown services are cached too, so a flood of tokens with random
    `iss` values cannot turn into a flood of database queries."""

    def __init__(self, db: Database, box: SecretBox, ttl_seconds: float, *, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic):
        self.db = db
        self.box = box
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[uuid.UUID, _Entry] = {}
        self._lock = threading.Lock()

    def get(self, service_id: uuid.UUID) -> ServiceCredentials | None:
        now = self.clock()
        entry = self._entries.get(service_id)
        if entry is not None and entry.expires_at > now:
            return entry.value
        with self.db.session() as session:
            value = load_service_credentials(session, self.box, service_id)
        with self._lock:
            if len(self._entries) >= self.max_entries:
                # Oldest insertion first; good enough to bound memory under a flood of unknown ids.
                self._entries.pop(next(iter(self._entries)))
            self._entries[service_id] = _Entry(value, now + self.ttl_seconds)
        return value

    def forget(self, service_id: uuid.UUID) -> None:
        with self._lock:
            self._entries.pop(service_id, None)
