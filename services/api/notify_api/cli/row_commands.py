"""The `notify-admin` commands that only run one admin operation on a service's rows: add one, list them,
show one, update one, change one (archive, revoke) or remove one. They all work the same way, so a group
registers each in a statement naming the operation, the options, and the audit action and id a change is
logged with. Options become the request body's fields under their own names (left out: absent), exactly as
the admin API would receive them."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import click

from .runtime import SERVICE, Runtime, body, changed, output, pass_runtime

Operation = Callable[..., Any]
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def row_option(flag: str, help_text: str | None = None) -> Decorator:
    """The option a command takes the row's id from, e.g. `--id` or `--template`."""
    return click.option(flag, "row_id", type=click.UUID, required=True, help=help_text)


def register_add(group: click.Group, operation: Operation, *, schema: dict[str, Any], options: Sequence[Decorator],
                 action: str, logged_id: str) -> None:
    """`GROUP add --service ID OPTIONS`: the new row, logged by its id, printed."""

    @_command(group, "add", *options)
    def add(runtime: Runtime, service_id: uuid.UUID, **fields: Any) -> None:
        row = runtime.run(operation, service_id, body(schema, **fields))
        changed(action, service_id, **{logged_id: row["id"]})
        output(row)


def register_list(group: click.Group, operation: Operation) -> None:
    """`GROUP list --service ID`: the service's rows."""

    @_command(group, "list")
    def list_(runtime: Runtime, service_id: uuid.UUID) -> None:
        output(runtime.run(operation, service_id))


def register_show(group: click.Group, name: str, operation: Operation, row: Decorator) -> None:
    """`GROUP NAME --service ID --ROW ID`: what the operation answers for one row."""

    @_command(group, name, row)
    def show(runtime: Runtime, service_id: uuid.UUID, row_id: uuid.UUID) -> None:
        output(runtime.run(operation, service_id, row_id))


def register_update(group: click.Group, operation: Operation, row: Decorator, *, schema: dict[str, Any],
                    options: Sequence[Decorator], action: str, logged_id: str) -> None:
    """`GROUP update --service ID --ROW ID OPTIONS`: the row with the fields given changed, logged, printed."""

    @_command(group, "update", row, *options)
    def update(runtime: Runtime, service_id: uuid.UUID, row_id: uuid.UUID, **fields: Any) -> None:
        result = runtime.run(operation, service_id, row_id, body(schema, **fields))
        changed(action, service_id, **{logged_id: row_id})
        output(result)


def register_change(group: click.Group, name: str, operation: Operation, row: Decorator, *, action: str,
                    logged_id: str) -> None:
    """`GROUP NAME --service ID --ROW ID`: the row changed (archived, revoked), logged, and printed."""

    @_command(group, name, row)
    def change(runtime: Runtime, service_id: uuid.UUID, row_id: uuid.UUID) -> None:
        result = runtime.run(operation, service_id, row_id)
        changed(action, service_id, **{logged_id: row_id})
        output(result)


def register_remove(group: click.Group, name: str, operation: Operation, row: Decorator, *, action: str,
                    logged_id: str) -> None:
    """`GROUP NAME --service ID --ROW ID`: the row deleted, logged, and `{"id": ..., "deleted": true}` printed."""

    @_command(group, name, row)
    def remove(runtime: Runtime, service_id: uuid.UUID, row_id: uuid.UUID) -> None:
        runtime.run(operation, service_id, row_id)
        changed(action, service_id, **{logged_id: row_id})
        output({"id": str(row_id), "deleted": True})


def _command(group: click.Group, name: str, *options: Decorator) -> Decorator:
    """`GROUP NAME --service ID` and the options, in that order; the callback is given the runtime first."""

    def register(callback: Callable[..., Any]) -> Callable[..., Any]:
        command = pass_runtime(callback)
        for option in reversed((SERVICE, *options)):  # as stacked decorators apply: the last one first
            command = option(command)
        return group.command(name)(command)

    return register
