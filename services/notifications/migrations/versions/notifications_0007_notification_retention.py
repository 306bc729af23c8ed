"""old notifications are deleted past the retention: an index of their creation time

Revision ID: notifications_0007
Revises: notifications_0006
Create Date: 2026-11-30 14:50:00.000000
"""

from alembic import op

revision = 'notifications_0007'
down_revision = 'notifications_0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_notifications_created', 'notifications', ['created_at'], unique=False,
                    schema='notifications')


def downgrade() -> None:
    op.drop_index('ix_notifications_created', table_name='notifications',
                  schema='notifications')
