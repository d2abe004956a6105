"""listing: an index to list one service's notifications of given statuses newest first

GET /v2/notifications?status=... on a big service filtered ix_notifications_service_created row by row:
a status few notifications are in (failures, or `sending` while polling) meant reading the service's
whole history (2.5 s on a 5,000,000-row service). With (service_id, key_type, status, created_at, id)
each requested status is one index range, read newest first and merged (notifications/store.py).

Built CONCURRENTLY, as in 0004: notifications is the hottest table and a plain CREATE INDEX would block
every INSERT while it builds.

Revision ID: 0007_listing_index
Revises: 0006
Create Date: 2026-11-28 10:00:00.000000
"""
from alembic import op

revision = '0007_listing_index'
down_revision = '0006'
branch_labels = None
depends_on = None

NAME = "ix_notifications_service_status_created"


def upgrade() -> None:
    with op.get_context().autocommit_block():
        # A build interrupted part way leaves an INVALID index under this name; IF NOT EXISTS would then
        # keep it, so drop any such leftover first.
        op.execute(f"""
            DO $$ BEGIN
                IF EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                           WHERE c.relname = '{NAME}' AND NOT i.indisvalid) THEN
                    EXECUTE 'DROP INDEX {NAME}';
                END IF;
            END $$""")
        op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} "
                   "ON notifications (service_id, key_type, status, created_at DESC, id DESC)")


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")
