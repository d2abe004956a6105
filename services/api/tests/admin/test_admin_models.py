"""The guest list and team tables as migration 0002 creates them match the models the API reads them with."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from notify_shared.all_models import metadata

ADMIN_TABLES = {"service_guest_list", "service_team_members"}


def _tables_named(diff) -> set[str]:  # noqa: ANN001 - alembic's diff tuples, or lists of them
    """Every admin table a diff mentions: by name, as a table object, or through a column or index."""
    found: set[str] = set()
    for item in diff if isinstance(diff, list) else [diff]:
        for part in item:
            names = {part} if isinstance(part, str) else {getattr(part, "name", None),
                                                         getattr(getattr(part, "table", None), "name", None)}
            found |= names & ADMIN_TABLES
    return found


def test_migration_0002_creates_exactly_the_modelled_admin_tables(db):
    with db.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)

    assert [d for d in diffs if _tables_named(d)] == []
    with db.engine.connect() as connection:
        columns = {table: {c["name"] for c in connection.dialect.get_columns(connection, table)}
                   for table in ADMIN_TABLES}
    assert columns == {
        "service_guest_list": {"id", "service_id", "recipient_type", "recipient", "created_at"},
        "service_team_members": {"id", "service_id", "name", "email_address", "mobile_number", "created_at"},
    }
