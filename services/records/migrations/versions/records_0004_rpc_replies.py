"""stored replies of RPC commands (exactly-once calls)

Revision ID: records_0004
Revises: records_0003
Create Date: 2026-11-23 05:40:00.000000

A command's reply is stored with its effect, by the request's correlation id, so that a request
redelivered after its first delivery committed is answered again without running twice
(casework.replies).

An audited read is run again when its request is redelivered: its audit row carries the call's
id, unique, so that the rerun adds none (QUALITY S5, F4).
"""

import sqlalchemy as sa
from alembic import op

revision = 'records_0004'
down_revision = 'records_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rpc_replies',
    sa.Column('call_id', sa.String(length=100), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('call_id'),
    schema='records'
    )

    op.add_column('audit_entries', sa.Column('call_id', sa.String(length=100), nullable=True),
                  schema='records')
    op.create_index('uq_audit_call_id', 'audit_entries', ['call_id'], unique=True,
                    schema='records', postgresql_where=sa.text('call_id IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('uq_audit_call_id', table_name='audit_entries', schema='records',
                  postgresql_where=sa.text('call_id IS NOT NULL'))
    op.drop_column('audit_entries', 'call_id', schema='records')

    op.drop_table('rpc_replies', schema='records')
