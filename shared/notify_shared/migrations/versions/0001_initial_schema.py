"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 05:48:18.209803
"""
import uuid

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('provider_details',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('identifier', sa.String(length=32), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('notification_type', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('supports_international', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('identifier')
    )
    op.create_table('scheduler_job_runs',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('job_name', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_scheduler_job_runs_job_started', 'scheduler_job_runs', ['job_name', 'started_at'], unique=False)
    op.create_table('services',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('restricted', sa.Boolean(), nullable=False),
    sa.Column('email_sender_local_part', sa.String(length=255), nullable=False),
    sa.Column('permissions', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('rate_limit', sa.Integer(), nullable=False),
    sa.Column('sms_message_limit', sa.Integer(), nullable=False),
    sa.Column('email_message_limit', sa.Integer(), nullable=False),
    sa.Column('letter_message_limit', sa.Integer(), nullable=False),
    sa.Column('international_sms_message_limit', sa.Integer(), nullable=False),
    sa.Column('prefix_sms', sa.Boolean(), nullable=False),
    sa.Column('contact_link', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('api_keys',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('service_id', sa.UUID(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('secret', sa.Text(), nullable=False),
    sa.Column('key_type', sa.String(length=16), nullable=False),
    sa.Column('expiry_date', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_api_keys_service_id'), 'api_keys', ['service_id'], unique=False)
    op.create_table('inbound_numbers',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('service_id', sa.UUID(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    op.create_table('inbound_sms',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('service_id', sa.UUID(), nullable=False),
    sa.Column('notify_number', sa.String(length=16), nullable=False),
    sa.Column('user_number', sa.String(length=32), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('provider_reference', sa.String(length=255), nullable=True),
    sa.Column('provider_date', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_inbound_sms_service_created', 'inbound_sms', ['service_id', sa.literal_column('created_at DESC'), sa.literal_column('id DESC')], unique=False)
    op.create_table('notification_history',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('service_id', sa.UUID(), nullable=False),
    sa.Column('template_id', sa.UUID(), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('api_key_id', sa.UUID(), nullable=True),
    sa.Column('key_type', sa.String(length=16), nullable=False),
    sa.Column('notification_type', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('reference', sa.String(length=255), nullable=True),
    sa.Column('client_reference', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_by', sa.String(length=64), nullable=True),
    sa.Column('billable_units', sa.Integer(), nullable=False),
    sa.Column('international', sa.Boolean(), nullable=False),
    sa.Column('phone_prefix', sa.String(length=16), nullable=True),
    sa.Column('rate_multiplier', sa.Float(), nullable=True),
    sa.Column('postage', sa.String(length=16), nullable=True),
    sa.Column('job_id', sa.UUID(), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_notification_history_reference', 'notification_history', ['reference'], unique=False)
    op.create_index('ix_notification_history_service_created', 'notification_history', ['service_id', 'created_at'], unique=False)
    op.create_table('provider_details_history',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('provider_id', sa.UUID(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_details.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('service_callback_api',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('service_id', sa.UUID(), nullable=False),
    sa.Column('callback_type', sa.String(length=32), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('bearer_token', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('service_id', 'callback_type', name='uq_service_callback_type')
    )
    op.create_table('service_data_retention',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('service_id', sa.UUID(), nullable=False),
    sa.Column('notification_type', sa.String(length=16), nullable=False),
    sa.Column('days_of_retention', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('service_id', 'notification_type', name='uq_service_data_retention')
    )
    op.create_table('service_email_reply_to',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('service_id', sa.UUID(), nullable=False),
    sa.Column('email_address', sa.Text(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_service_email_reply_to_service_id'), 'service_email_reply_to', ['service_id'], unique=False)
    op.create_table('templates',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('service_id', sa.UUID(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('template_type', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('postage', sa.String(length=16), nullable=True),
    sa.Column('letter_contact_block', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_templates_service_id'), 'templates', ['service_id'], unique=False)
    op.create_table('templates_history',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.UUID(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('template_type', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('postage', sa.String(length=16), nullable=True),
    sa.Column('letter_contact_block', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ),
    sa.PrimaryKeyConstraint('id', 'version')
    )
    op.create_table('notifications',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('service_id', sa.UUID(), nullable=False),
    sa.Column('template_id', sa.UUID(), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('api_key_id', sa.UUID(), nullable=True),
    sa.Column('key_type', sa.String(length=16), nullable=False),
    sa.Column('notification_type', sa.String(length=16), nullable=False),
    sa.Column('to', sa.Text(), nullable=False),
    sa.Column('normalised_to', sa.Text(), nullable=True),
    sa.Column('personalisation', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('reference', sa.String(length=255), nullable=True),
    sa.Column('client_reference', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_by', sa.String(length=64), nullable=True),
    sa.Column('billable_units', sa.Integer(), nullable=False),
    sa.Column('international', sa.Boolean(), nullable=False),
    sa.Column('phone_prefix', sa.String(length=16), nullable=True),
    sa.Column('rate_multiplier', sa.Float(), nullable=True),
    sa.Column('postage', sa.String(length=16), nullable=True),
    sa.Column('reply_to_text', sa.String(length=255), nullable=True),
    sa.Column('one_click_unsubscribe_url', sa.Text(), nullable=True),
    sa.Column('job_id', sa.UUID(), nullable=True),
    sa.Column('created_by_name', sa.String(length=255), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('send_attempts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], ),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_notifications_reference', 'notifications', ['reference'], unique=False)
    op.create_index('ix_notifications_service_client_reference', 'notifications', ['service_id', 'client_reference'], unique=False)
    op.create_index('ix_notifications_service_created', 'notifications', ['service_id', 'key_type', sa.literal_column('created_at DESC'), sa.literal_column('id DESC')], unique=False)
    op.create_index('ix_notifications_unfinished_status_created', 'notifications', ['status', 'created_at'], unique=False, postgresql_where=sa.text("status IN ('created', 'sending', 'pending', 'sent')"))
    op.create_table('service_sms_senders',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('service_id', sa.UUID(), nullable=False),
    sa.Column('sms_sender', sa.String(length=16), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('inbound_number_id', sa.UUID(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['inbound_number_id'], ['inbound_numbers.id'], ),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_service_sms_senders_service_id'), 'service_sms_senders', ['service_id'], unique=False)


    # Notify's SMS providers share traffic by priority; SES carries all email.
    providers = sa.table(
        "provider_details",
        sa.column("id", sa.UUID()), sa.column("identifier", sa.String), sa.column("display_name", sa.String),
        sa.column("notification_type", sa.String), sa.column("priority", sa.Integer),
        sa.column("active", sa.Boolean), sa.column("supports_international", sa.Boolean),
    )
    op.bulk_insert(providers, [
        {"id": uuid.UUID("6d0cc2c4-6f1f-4b5e-9a6b-0000000000a1"), "identifier": "mmg", "display_name": "MMG",
         "notification_type": "sms", "priority": 50, "active": True, "supports_international": True},
        {"id": uuid.UUID("6d0cc2c4-6f1f-4b5e-9a6b-0000000000a2"), "identifier": "firetext", "display_name": "Firetext",
         "notification_type": "sms", "priority": 50, "active": True, "supports_international": False},
        {"id": uuid.UUID("6d0cc2c4-6f1f-4b5e-9a6b-0000000000a3"), "identifier": "ses", "display_name": "AWS SES",
         "notification_type": "email", "priority": 100, "active": True, "supports_international": False},
    ])


def downgrade() -> None:
    op.drop_index(op.f('ix_service_sms_senders_service_id'), table_name='service_sms_senders')
    op.drop_table('service_sms_senders')
    op.drop_index('ix_notifications_unfinished_status_created', table_name='notifications', postgresql_where=sa.text("status IN ('created', 'sending', 'pending', 'sent')"))
    op.drop_index('ix_notifications_service_created', table_name='notifications')
    op.drop_index('ix_notifications_service_client_reference', table_name='notifications')
    op.drop_index('ix_notifications_reference', table_name='notifications')
    op.drop_table('notifications')
    op.drop_table('templates_history')
    op.drop_index(op.f('ix_templates_service_id'), table_name='templates')
    op.drop_table('templates')
    op.drop_index(op.f('ix_service_email_reply_to_service_id'), table_name='service_email_reply_to')
    op.drop_table('service_email_reply_to')
    op.drop_table('service_data_retention')
    op.drop_table('service_callback_api')
    op.drop_table('provider_details_history')
    op.drop_index('ix_notification_history_service_created', table_name='notification_history')
    op.drop_index('ix_notification_history_reference', table_name='notification_history')
    op.drop_table('notification_history')
    op.drop_index('ix_inbound_sms_service_created', table_name='inbound_sms')
    op.drop_table('inbound_sms')
    op.drop_table('inbound_numbers')
    op.drop_index(op.f('ix_api_keys_service_id'), table_name='api_keys')
    op.drop_table('api_keys')
    op.drop_table('services')
    op.drop_index('ix_scheduler_job_runs_job_started', table_name='scheduler_job_runs')
    op.drop_table('scheduler_job_runs')
    op.drop_table('provider_details')
