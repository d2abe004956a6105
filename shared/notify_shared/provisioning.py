"""Creating services, keys and templates: used by the admin API, the dev seed and tests alike."""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .crypto import SecretBox
from .models import ApiKey, Service, ServiceEmailReplyTo, ServiceSmsSender, Template, TemplateHistory, utcnow
from .statuses import KEY_TYPES


@dataclass(frozen=True)
class IssuedKey:
    id: uuid.UUID
    key: str  # `{name}-{service_id}-{secret}`: shown once, never stored in the clear


def create_service(
    session: Session,
    *,
    name: str,
    restricted: bool = True,
    permissions: list[str] | None = None,
    email_sender_local_part: str | None = None,
    sms_sender: str = "notify",
    service_id: uuid.UUID | None = None,
    **limits: int,
) -> Service:
    service = Service(
        id=service_id or uuid.uuid4(),
        name=name,
        restricted=restricted,
        permissions=permissions if permissions is not None else ["sms", "email"],
        email_sender_local_part=email_sender_local_part or _local_part(name),
        **limits,
    )
    session.add(service)
    session.flush()
    session.add(ServiceSmsSender(service_id=service.id, sms_sender=sms_sender, is_default=True))
    return service


def _local_part(name: str) -> str:
    cleaned = "".join(c if c.isalnum() else "." for c in name.lower()).strip(".")
    return cleaned or "notify"


def create_api_key(session: Session, box: SecretBox, *, service_id: uuid.UUID, name: str,
                   key_type: str = "normal") -> IssuedKey:
    if key_type not in KEY_TYPES:
        raise ValueError(f"key_type must be one of {', '.join(KEY_TYPES)}")
    secret = str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))
    key = ApiKey(service_id=service_id, name=name, secret=box.encrypt(secret), key_type=key_type)
    session.add(key)
    session.flush()
    key_name = "".join(c if c.isalnum() or c == "_" else "_" for c in name.lower()) or "key"
    return IssuedKey(id=key.id, key=f"{key_name}-{service_id}-{secret}")


def revoke_api_key(session: Session, *, service_id: uuid.UUID, key_id: uuid.UUID) -> bool:
    key = session.get(ApiKey, key_id)
    if key is None or key.service_id != service_id:
        return False
    if key.expiry_date is None:
        key.expiry_date = utcnow()
    return True


def create_template(
    session: Session,
    *,
    service_id: uuid.UUID,
    name: str,
    template_type: str,
    content: str,
    subject: str | None = None,
    created_by: str | None = None,
    postage: str | None = None,
    letter_contact_block: str | None = None,
) -> Template:
    template = Template(
        service_id=service_id, name=name, template_type=template_type, content=content,
        subject=subject, version=1, created_by=created_by,
        postage=postage or ("second" if template_type == "letter" else None),
        letter_contact_block=letter_contact_block,
    )
    session.add(template)
    session.flush()
    _record_version(session, template)
    return template


def update_template(session: Session, template: Template, **changes: object) -> Template:
    """Every edit is a new version; notifications keep pointing at the version they were sent with."""
    for field, value in changes.items():
        setattr(template, field, value)
    template.version += 1
    template.updated_at = utcnow()
    session.flush()
    _record_version(session, template)
    return template


def _record_version(session: Session, template: Template) -> None:
    session.add(TemplateHistory(
        id=template.id, version=template.version, service_id=template.service_id, name=template.name,
        template_type=template.template_type, subject=template.subject, content=template.content,
        archived=template.archived, postage=template.postage,
        letter_contact_block=template.letter_contact_block, created_by=template.created_by,
        created_at=template.created_at, updated_at=template.updated_at,
    ))


def add_email_reply_to(session: Session, *, service_id: uuid.UUID, email_address: str,
                       is_default: bool = False) -> ServiceEmailReplyTo:
    reply_to = ServiceEmailReplyTo(service_id=service_id, email_address=email_address, is_default=is_default)
    session.add(reply_to)
    session.flush()
    return reply_to
