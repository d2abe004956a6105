"""Bring a database to the latest schema: `python -m notify_shared.migrate` (uses DATABASE_URL)."""
from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from .config import Settings, normalise_database_url, redact_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_database_url(database_url).replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(database_url), revision)


def main() -> int:
    url = Settings.from_env("migrate").database_url
    upgrade(url)
    print(f"migrated {redact_url(url)} to head", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
