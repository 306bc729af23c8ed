"""misspelt searches of two or more words meet in one GIN index of each record's name words

Revision ID: records_0014
Revises: records_0012
Create Date: 2026-11-30 11:45:00.000000

A search such as "margret thomps" wants the records carrying a word close to each word typed.
The carriers of each word came from ``record_name_words`` and were intersected by hashing: over
1,000,000 records that hashed 28,000 rows (the carriers of "margaret" and "thompson") to keep
123, 15 to 45 ms, the slowest of the P2 queries. A GIN index of each live record's name words
(``records.name_word_array(name_text)``: the words ``records.name_words_of`` gives, as an array)
intersects the words' posting lists inside the index instead: the same search reads 123 index
entries' rows, 2 to 5 ms. The index is over every agency: a word's posting list is as long in
one agency of 1,000,000 as in 100 agencies of 10,000, and the agency is checked on the few rows
found (a leading organization_id column made each scan walk the agency's whole posting list).

The function is PL/pgSQL, whose statement plan is kept for the session: as a one-line SQL
function, which PostgreSQL does not inline here, it was planned again for every row the index
took, and 5,000 inserts took 56 s instead of 2.9 s (the CSV import, P9, halved its speed).
"""

from alembic import op

revision = 'records_0014'
down_revision = 'records_0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION records.name_word_array(name text) RETURNS text[]
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        BEGIN
            RETURN ARRAY(SELECT records.name_words_of(name));
        END
        $$
    """)
    op.execute("SET LOCAL maintenance_work_mem = '256MB'")
    op.execute("CREATE INDEX ix_records_name_word_array ON records.records USING gin "
               "(records.name_word_array(name_text)) WHERE deleted_at IS NULL")


def downgrade() -> None:
    op.execute("DROP INDEX records.ix_records_name_word_array")
    op.execute("DROP FUNCTION records.name_word_array(text)")
