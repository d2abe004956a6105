"""scheduler: daily status facts, stale claim recoveries, indexes for the periodic jobs

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-03 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None

# notifications is the hottest table: its new indexes are built CONCURRENTLY so intake keeps writing
# while they build (a plain CREATE INDEX blocks every INSERT until it finishes).
NOTIFICATION_INDEXES = (
    ("ix_notifications_service_type_created", "(service_id, notification_type, created_at)", None),
    ("ix_notifications_unsent_claims", "(claimed_at)", "status = 'sending' AND sent_at IS NULL"),
    ("ix_notifications_sms_sent_by_sent_at", "(sent_by, sent_at)", "notification_type = 'sms' AND sent_at IS NOT NULL"),
)


def upgrade() -> None:
    op.create_table('ft_notification_status',
    sa.Column('bst_date', sa.Date(), nullable=False),
    sa.Column('template_id', sa.UUID(), nullable=False),
    sa.Column('service_id', sa.UUID(), nullable=False),
    sa.Column('notification_type', sa.String(length=16), nullable=False),
    sa.Column('key_type', sa.String(length=16), nullable=False),
    sa.Column('notification_status', sa.String(length=32), nullable=False),
    sa.Column('notification_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('bst_date', 'template_id', 'service_id', 'notification_type', 'key_type',
                            'notification_status')
    )
    op.create_index('ix_ft_notification_status_service_date', 'ft_notification_status', ['service_id', 'bst_date'],
                    unique=False)
    op.create_table('stale_claim_recoveries',
    sa.Column('notification_id', sa.UUID(), nullable=False),
    sa.Column('recoveries', sa.Integer(), nullable=False),
    sa.Column('last_recovered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('republished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('notification_id')
    )
    op.create_index('ix_stale_claim_recoveries_unpublished', 'stale_claim_recoveries', ['last_recovered_at'],
                    unique=False, postgresql_where=sa.text('republished_at IS NULL'))
    op.create_index('ix_provider_details_history_provider_created', 'provider_details_history',
                    ['provider_id', 'created_at'], unique=False)
    with op.get_context().autocommit_block():
        for name, columns, where in NOTIFICATION_INDEXES:
            op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON notifications {columns}"
                       + (f" WHERE {where}" if where else ""))


def downgrade() -> None:
    with op.get_context().autocommit_block():
        for name, _, _ in NOTIFICATION_INDEXES:
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    op.drop_index('ix_provider_details_history_provider_created', table_name='provider_details_history')
    op.drop_index('ix_stale_claim_recoveries_unpublished', table_name='stale_claim_recoveries',
                  postgresql_where=sa.text('republished_at IS NULL'))
    op.drop_table('stale_claim_recoveries')
    op.drop_index('ix_ft_notification_status_service_date', table_name='ft_notification_status')
    op.drop_table('ft_notification_status')
