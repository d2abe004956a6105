"""`notify-admin inbound-numbers ...`"""
from __future__ import annotations

import uuid

import click

from ..admin import inbound_numbers as ops
from ..admin import schemas
from .runtime import SERVICE, Runtime, body, changed, output, pass_runtime


@click.group("inbound-numbers")
def inbound_numbers() -> None:
    """The platform's numbers that receive texts, and which service each belongs to."""


@inbound_numbers.command("add")
@click.option("--number", required=True)
@click.option("--provider", type=click.Choice(schemas.INBOUND_PROVIDERS), required=True)
@click.option("--inactive", is_flag=True, help="Add it without receiving on it yet.")
@pass_runtime
def add(runtime: Runtime, number: str, provider: str, inactive: bool) -> None:
    row = runtime.run(ops.create_inbound_number,
                      body(schemas.CREATE_INBOUND_NUMBER, number=number, provider=provider, active=not inactive))
    changed("inbound_number_created", inbound_number_id=row["id"])
    output(row)


@inbound_numbers.command("list")
@click.option("--available", is_flag=True, help="Only active numbers no service has yet.")
@pass_runtime
def list_(runtime: Runtime, available: bool) -> None:
    output(runtime.run(ops.list_inbound_numbers, available_only=available))


@inbound_numbers.command("assign")
@click.option("--id", "number_id", type=click.UUID, required=True, help="The inbound number's id.")
@SERVICE
@pass_runtime
def assign(runtime: Runtime, number_id: uuid.UUID, service_id: uuid.UUID) -> None:
    row = runtime.run(ops.assign_inbound_number, number_id,
                      body(schemas.ASSIGN_INBOUND_NUMBER, service_id=str(service_id)))
    changed("inbound_number_assigned", service_id, inbound_number_id=number_id)
    output(row)
