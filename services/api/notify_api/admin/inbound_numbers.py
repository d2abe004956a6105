"""Inbound numbers: the platform's pool of numbers that receive texts, each assigned to at most one service.

Assigning a number makes it the service's default text sender, as Notify does
(app/service/rest.py, `dao_add_inbound_number_to_service` then the sender update), so replies come back
to the number the service texts from. Receiving also needs the `inbound_sms` permission on the service.
"""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from notify_shared.errors import BadRequestError, NoResultFound
from notify_shared.models import InboundNumber, ServiceSmsSender

from . import serialise
from .lookups import service_or_404

ALREADY_ASSIGNED = "Inbound number is already assigned to another service"


def create_inbound_number(session: Session, body: dict[str, Any]) -> dict[str, Any]:
    number = body["number"].lstrip("+")
    if session.execute(select(InboundNumber.id).where(InboundNumber.number == number)).first() is not None:
        raise BadRequestError(f"Inbound number {number} already exists")
    row = InboundNumber(number=number, provider=body["provider"], active=body.get("active", True))
    session.add(row)
    session.flush()
    return serialise.inbound_number(row)


def list_inbound_numbers(session: Session, *, available_only: bool = False) -> list[dict[str, Any]]:
    query = select(InboundNumber)
    if available_only:
        query = query.where(InboundNumber.service_id.is_(None), InboundNumber.active.is_(True))
    rows = session.execute(query.order_by(InboundNumber.number)).scalars().all()
    return [serialise.inbound_number(row) for row in rows]


def assign_inbound_number(session: Session, number_id: uuid.UUID, body: dict[str, Any]) -> dict[str, Any]:
    service_id = uuid.UUID(body["service_id"])
    service_or_404(session, service_id, for_update=True)
    number = session.get(InboundNumber, number_id, with_for_update=True)
    if number is None:
        raise NoResultFound()
    if number.service_id == service_id:
        return serialise.inbound_number(number)
    if number.service_id is not None:
        raise BadRequestError(ALREADY_ASSIGNED)
    if not number.active:
        raise BadRequestError("Inbound number is not active")
    number.service_id = service_id
    _make_default_sender(session, service_id, number)
    session.flush()
    return serialise.inbound_number(number)


def _make_default_sender(session: Session, service_id: uuid.UUID, number: InboundNumber) -> None:
    default = session.execute(
        select(ServiceSmsSender).where(ServiceSmsSender.service_id == service_id,
                                       ServiceSmsSender.is_default.is_(True),
                                       ServiceSmsSender.archived.is_(False)).limit(1)
    ).scalar_one_or_none()
    if default is not None and default.inbound_number_id is None:
        default.sms_sender = number.number
        default.inbound_number_id = number.id
        return
    session.execute(update(ServiceSmsSender).where(ServiceSmsSender.service_id == service_id)
                    .values(is_default=False))
    session.add(ServiceSmsSender(service_id=service_id, sms_sender=number.number, is_default=True,
                                 inbound_number_id=number.id))
