"""audit entries and status changes get random public ids; their lists page by (time, id)

Revision ID: records_0009
Revises: records_0008
Create Date: 2026-11-30 09:20:00.000000

Their ids came from one sequence for the whole platform, so an agency could count the other
agencies' audited actions between two of its own, from the ids and from the cursors that held
them (issue 19). Each row gets ``public_id`` (gen_random_uuid(), filled for existing rows as
the column is added): the API's ``id``. The bigint stays the primary key, for the database only.
Lists page by (time, public_id), with one index each, replacing the index on the bigint: the
audit row each staff read writes (QUALITY P1) maintains one index, as before. Adding a column
with a volatile default rewrites the two tables once (on a large installation, plan it for a
quiet moment); their append-only triggers are not fired by it.
"""

import sqlalchemy as sa
from alembic import op

revision = 'records_0009'
down_revision = 'records_0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('audit_entries', 'status_history'):
        op.add_column(table, sa.Column('public_id', sa.Uuid(), nullable=False,
                                       server_default=sa.text('gen_random_uuid()')),
                      schema='records')
    op.drop_index('ix_audit_record_id', table_name='audit_entries', schema='records')
    op.create_index('ix_audit_record_page', 'audit_entries',
                    ['organization_id', 'record_id', 'at', 'public_id'], schema='records')
    op.drop_index('ix_records_status_history_record_id', table_name='status_history',
                  schema='records')
    op.create_index('ix_status_history_record_page', 'status_history',
                    ['record_id', 'changed_at', 'public_id'], schema='records')


def downgrade() -> None:
    op.drop_index('ix_status_history_record_page', table_name='status_history', schema='records')
    op.create_index('ix_records_status_history_record_id', 'status_history', ['record_id'],
                    schema='records')
    op.drop_index('ix_audit_record_page', table_name='audit_entries', schema='records')
    op.create_index('ix_audit_record_id', 'audit_entries', ['organization_id', 'record_id', 'id'],
                    schema='records')
    for table in ('audit_entries', 'status_history'):
        op.drop_column(table, 'public_id', schema='records')
