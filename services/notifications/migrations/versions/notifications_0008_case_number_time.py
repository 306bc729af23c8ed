"""a record's case number in notifications' copy follows renumberings: the time of the event
that set it

Revision ID: notifications_0008
Revises: notifications_0007
Create Date: 2026-11-30 15:05:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = 'notifications_0008'
down_revision = 'notifications_0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('records', sa.Column('case_number_at', sa.DateTime(timezone=True),
                                       nullable=True), schema='notifications')
    # the case numbers known so far came with record_created: as of the copy's first event
    op.execute("UPDATE notifications.records SET case_number_at = changed_at"
               " WHERE case_number IS NOT NULL")


def downgrade() -> None:
    op.drop_column('records', 'case_number_at', schema='notifications')
