"""dead letters keep the raw bytes of what was not an event

Revision ID: identity_0004
Revises: identity_0003
Create Date: 2026-11-30 08:30:00.000000

A message whose body is not UTF-8, not JSON or not an event envelope, and an external event that
no service consumes, is dead-lettered with the bytes and content type it arrived with
(casework.messaging), so that nothing that arrives on the bus is lost.
"""

import sqlalchemy as sa
from alembic import op

revision = 'identity_0004'
down_revision = 'identity_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('dead_letters', sa.Column('raw_body', sa.LargeBinary(), nullable=True),
                  schema='identity')
    op.add_column('dead_letters', sa.Column('content_type', sa.String(length=200), nullable=True),
                  schema='identity')


def downgrade() -> None:
    op.drop_column('dead_letters', 'content_type', schema='identity')
    op.drop_column('dead_letters', 'raw_body', schema='identity')
