"""stored replies of RPC commands (exactly-once calls)

Revision ID: notifications_0002
Revises: notifications_0001
Create Date: 2026-11-23 05:40:00.000000

A command's reply is stored with its effect, by the request's correlation id, so that a request
redelivered after its first delivery committed is answered again without running twice
(casework.replies).
"""

import sqlalchemy as sa
from alembic import op

revision = 'notifications_0002'
down_revision = 'notifications_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rpc_replies',
    sa.Column('call_id', sa.String(length=100), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('call_id'),
    schema='notifications'
    )


def downgrade() -> None:
    op.drop_table('rpc_replies', schema='notifications')
