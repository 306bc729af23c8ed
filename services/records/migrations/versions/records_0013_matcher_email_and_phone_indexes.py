"""the duplicate matcher finds a person's e-mail and phone number by equality, through indexes of
the agency's lower-cased e-mails and of its records' phone keys

Revision ID: records_0013
Revises: records_0014
Create Date: 2026-11-30 11:40:00.000000

The matcher (INV-6) calls a record with the same e-mail (in any case) or the same phone key (the
last 9 digits of a number: services/records/domain.py ``phone_key``) a match; it looked both up
as substrings of ``search_text`` through the trigram index, which for an e-mail of 30
characters reads some 200 index pages in an agency of 1,000,000 records, and for 9 digits about
60 (P10, bench/results), and could find the digits in an e-mail or a case number. Equalities on
the lower-cased e-mail and on ``records.phone_keys(phones)`` read a handful.
"""

import sqlalchemy as sa
from alembic import op

revision = 'records_0013'
down_revision = 'records_0014'
branch_labels = None
depends_on = None

# domain.phone_key of each number: its digits, the last 9 (a number written with a country code
# or a trunk prefix ends the same). PL/pgSQL, whose plan is kept for the session: a SQL function
# with an aggregate is not inlined, and an index expression then plans it again for every row
# written (records_0014 measured what that costs).
PHONE_KEYS = """
CREATE FUNCTION records.phone_keys(phones jsonb) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(right(regexp_replace(p ->> 'number', '[^0-9]', '', 'g'), 9)),
                            '{}')
            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(phones) = 'array' THEN phones
                                           ELSE '[]'::jsonb END) AS p);
END
$$
"""


def upgrade() -> None:
    op.create_index('ix_records_org_email', 'records',
                    ['organization_id', sa.text('lower(email)')], schema='records',
                    postgresql_where=sa.text('deleted_at IS NULL AND email IS NOT NULL'))
    op.execute(PHONE_KEYS)
    op.create_index('ix_records_org_phone_keys', 'records',
                    ['organization_id', sa.text('records.phone_keys(phones)')],
                    schema='records', postgresql_using='gin',
                    postgresql_where=sa.text('deleted_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_records_org_phone_keys', table_name='records', schema='records')
    op.execute("DROP FUNCTION records.phone_keys(jsonb)")
    op.drop_index('ix_records_org_email', table_name='records', schema='records')
