"""the global record a record is a copy of, and the versions of its fields (ID-4)

Revision ID: records_0007
Revises: records_0006
Create Date: 2026-11-30 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'records_0007'
down_revision = 'records_0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('records', sa.Column('global_record_id', sa.Uuid(), nullable=True),
                  schema='records')
    op.add_column('records', sa.Column(
        'global_versions', postgresql.JSONB(astext_type=sa.Text()),
        server_default=sa.text("'{}'::jsonb"), nullable=False), schema='records')
    op.create_index('ix_records_global_record', 'records', ['global_record_id'], unique=False,
                    schema='records', postgresql_where=sa.text('global_record_id IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_records_global_record', table_name='records', schema='records',
                  postgresql_where=sa.text('global_record_id IS NOT NULL'))
    op.drop_column('records', 'global_versions', schema='records')
    op.drop_column('records', 'global_record_id', schema='records')
