"""CSV import: a row key that makes a re-run create nothing twice, and an index for duplicates
by name and date of birth

Revision ID: records_0010
Revises: records_0009
Create Date: 2026-11-30 09:15:00.000000

``casework import records`` (issue 18) stores each created record's row key (a digest of the row's
values): the same row imported again is found by it and reported as a duplicate, never created
twice, even when it had no case number. Rows are also checked against the agency's records with
the same name and date of birth, found through the (agency, date of birth) index.
"""

import sqlalchemy as sa
from alembic import op

revision = 'records_0010'
down_revision = 'records_0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('records', sa.Column('import_key', sa.String(length=64), nullable=True),
                  schema='records')
    op.create_index('uq_records_org_import_key', 'records', ['organization_id', 'import_key'],
                    unique=True, schema='records',
                    postgresql_where=sa.text('import_key IS NOT NULL'))
    op.create_index('ix_records_org_birth', 'records', ['organization_id', 'date_of_birth'],
                    schema='records', postgresql_where=sa.text('date_of_birth IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_records_org_birth', table_name='records', schema='records')
    op.drop_index('uq_records_org_import_key', table_name='records', schema='records')
    op.drop_column('records', 'import_key', schema='records')
