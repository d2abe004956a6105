"""Imports every table module so Alembic and test fixtures see the whole schema.

Tables live by domain: core tables in models.py, later domains in `<domain>_models.py` beside it.
"""
# ruff: noqa: I001 - one import line per domain module, each owned by its domain
from notify_shared import admin_models  # noqa: F401
from notify_shared import models  # noqa: F401
from notify_shared import receiver_models  # noqa: F401
from notify_shared import scheduler_models  # noqa: F401
from notify_shared import sender_models  # noqa: F401
from notify_shared.models import Base

metadata = Base.metadata
