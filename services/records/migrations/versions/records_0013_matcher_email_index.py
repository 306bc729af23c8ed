"""the duplicate matcher finds a person's e-mail by equality, through an index of the agency's
lower-cased e-mails

Revision ID: records_0013
Revises: records_0011
Create Date: 2026-11-30 11:40:00.000000

The matcher (INV-6) calls a record with the same e-mail, in any case, a match; it looked the
e-mail up as a substring of ``search_text`` through the trigram index, which for an e-mail of 30
characters reads some 200 index pages in an agency of 1,000,000 records (P10, bench/results).
An equality on the lower-cased e-mail reads 4.
"""

import sqlalchemy as sa
from alembic import op

revision = 'records_0013'
down_revision = 'records_0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_records_org_email', 'records',
                    ['organization_id', sa.text('lower(email)')], schema='records',
                    postgresql_where=sa.text('deleted_at IS NULL AND email IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_records_org_email', table_name='records', schema='records')
