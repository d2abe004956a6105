"""Loading the rows an admin operation acts on, scoped to their service, or answering 404."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from notify_shared.errors import NoResultFound
from notify_shared.models import Service

Row = TypeVar("Row")


def service_or_404(session: Session, service_id: uuid.UUID, *, for_update: bool = False) -> Service:
    service = session.get(Service, service_id, with_for_update=for_update)
    if service is None:
        raise NoResultFound()
    return service


def owned_or_404(session: Session, model: type[Row], row_id: uuid.UUID, service_id: uuid.UUID) -> Row:
    """The row if it exists and belongs to the service: another service's id is as unknown as a made-up one."""
    row = session.get(model, row_id)
    if row is None or row.service_id != service_id:
        raise NoResultFound()
    return row


def service_rows(session: Session, model: type[Row], service_id: uuid.UUID, *, order_by: Sequence[Any],
                 where: Sequence[Any] = ()) -> list[Row]:
    """The service's rows of one kind (those matching `where` too), in order; 404 for an unknown service."""
    service_or_404(session, service_id)
    query = select(model).where(model.service_id == service_id, *where).order_by(*order_by)
    return list(session.execute(query).scalars().all())
