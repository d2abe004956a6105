"""Running one admin operation in one short transaction, for the API and the CLI alike."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from notify_shared.db import Database
from notify_shared.errors import BadRequestError

Result = TypeVar("Result")

CONFLICT = "The change conflicts with another one made at the same time; retry the request"


def in_transaction(db: Database, operation: Callable[..., Result], *args: Any, **kwargs: Any) -> Result:
    """Operations check uniqueness before writing; a unique or foreign-key violation can then only come from
    a concurrent change, which the caller should retry rather than see as a 500."""
    try:
        with db.session() as session:
            return operation(session, *args, **kwargs)
    except IntegrityError as exc:
        raise BadRequestError(CONFLICT) from exc

