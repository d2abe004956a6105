"""sender: provider error counts for error-burst re-weighting

Revision ID: 0005
Revises: 0001
Create Date: 2026-12-05 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('provider_error_counts',
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('bucket_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('provider', 'bucket_start')
    )


def downgrade() -> None:
    op.drop_table('provider_error_counts')
