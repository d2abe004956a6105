"""status receiver: SES complaints and service callback dead letters

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-02 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('complaints',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('notification_id', sa.UUID(), nullable=False),
    sa.Column('service_id', sa.UUID(), nullable=False),
    sa.Column('ses_feedback_id', sa.Text(), nullable=True),
    sa.Column('complaint_type', sa.Text(), nullable=True),
    sa.Column('complaint_date', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_complaints_notification_id'), 'complaints', ['notification_id'], unique=False)
    op.create_index('ix_complaints_service_created', 'complaints',
                    ['service_id', sa.literal_column('created_at DESC')], unique=False)
    op.create_table('service_callback_dead_letters',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('service_id', sa.UUID(), nullable=False),
    sa.Column('callback_type', sa.String(length=32), nullable=False),
    sa.Column('notification_id', sa.UUID(), nullable=True),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('replayed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_service_callback_dead_letters_waiting', 'service_callback_dead_letters',
                    ['service_id', 'created_at'], unique=False, postgresql_where=sa.text('replayed_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_service_callback_dead_letters_waiting', table_name='service_callback_dead_letters',
                  postgresql_where=sa.text('replayed_at IS NULL'))
    op.drop_table('service_callback_dead_letters')
    op.drop_index('ix_complaints_service_created', table_name='complaints')
    op.drop_index(op.f('ix_complaints_notification_id'), table_name='complaints')
    op.drop_table('complaints')
