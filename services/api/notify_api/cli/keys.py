"""`notify-admin keys ...`"""
from __future__ import annotations

import uuid

import click

from notify_shared.statuses import KEY_TYPES

from ..admin import api_keys as ops
from ..admin import schemas
from .row_commands import register_change, register_list, row_option
from .runtime import SERVICE, Runtime, body, changed, output, pass_runtime


@click.group("keys")
def keys() -> None:
    """Issue, list and revoke API keys. A new key is printed once and cannot be shown again."""


@keys.command("create")
@SERVICE
@click.option("--name", help="Defaults to the key type, e.g. 'normal key'.")
@click.option("--type", "key_type", type=click.Choice(KEY_TYPES), default="normal", show_default=True)
@pass_runtime
def create(runtime: Runtime, service_id: uuid.UUID, name: str | None, key_type: str) -> None:
    key = runtime.run(ops.create_api_key, runtime.box, service_id,
                      body(schemas.CREATE_API_KEY, name=name or f"{key_type} key", key_type=key_type))
    changed("api_key_created", service_id, api_key_id=key["id"], key_type=key_type)
    output(key)


register_list(keys, ops.list_api_keys)
register_change(keys, "revoke", ops.revoke_api_key, row_option("--key", "The key's id (from `keys list`)."),
                action="api_key_revoked", logged_id="api_key_id")
