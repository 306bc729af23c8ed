"""misspelt-name search through each agency's name words

Revision ID: records_0005
Revises: records_0004
Create Date: 2026-11-23 06:00:00.000000

Measured (bench p2, 1,000,000 records in one agency): a misspelt surname common in the agency
("thompsn") made the (agency, name_text) trigram index return 9,000+ candidate rows, each one
rechecked with a word similarity: 13 to 35 ms of the query, and 196 ms at p95 under load. An
agency has far fewer distinct name words than records, so the misspelt word is now matched
against the agency's distinct words (``name_words``, a trigram GIN over thousands of short rows)
and the records carrying the matched words come from a btree (``record_name_words``). A trigger
keeps both in step with ``records.name_text``, whatever writes it. The (agency, name_text)
trigram index is no longer used and goes; a plain trigram index on ``search_text`` joins the
agency-first one, for agencies that hold most of the table.
"""

import sqlalchemy as sa
from alembic import op

revision = 'records_0005'
down_revision = 'records_0004'
branch_labels = None
depends_on = None

FUNCTIONS = r"""
-- words split at spaces and punctuation, as pg_trgm splits them: a double-barrelled
-- "smith-jones" gives "smith" and "jones" (kept whole, each pair would be a word of its own);
-- a name with an apostrophe is also a word without it ("o'connor": "o", "connor", "oconnor")
CREATE FUNCTION records.name_words_of(name text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT DISTINCT word FROM (
        SELECT regexp_split_to_table(name, '[[:space:][:punct:]]+')
        UNION ALL
        SELECT translate(part, $a$'’$a$, '')
        FROM regexp_split_to_table(name, '[[:space:]]+') AS part WHERE part ~ $a$['’]$a$
    ) AS words(word)
    WHERE word <> ''
$$;

CREATE FUNCTION records.index_name_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.name_text IS NOT DISTINCT FROM OLD.name_text
           AND NEW.organization_id = OLD.organization_id THEN
            RETURN NULL;
        END IF;
        DELETE FROM records.record_name_words WHERE record_id = OLD.id;
    END IF;
    INSERT INTO records.name_words (organization_id, word)
    SELECT NEW.organization_id, word FROM records.name_words_of(NEW.name_text) AS word
    ON CONFLICT DO NOTHING;
    INSERT INTO records.record_name_words (organization_id, word, record_id)
    SELECT NEW.organization_id, word, NEW.id FROM records.name_words_of(NEW.name_text) AS word;
    RETURN NULL;
END
$$;

CREATE TRIGGER records_name_words AFTER INSERT OR UPDATE OF name_text, organization_id
ON records.records FOR EACH ROW EXECUTE FUNCTION records.index_name_words();
"""

# the rows the trigger writes, for every record at once (set-based): the backfill here, and
# for bulk loads that run without triggers (the benchmark's generated records)
REBUILD = """
CREATE FUNCTION records.rebuild_name_words() RETURNS void LANGUAGE sql AS $$
    TRUNCATE records.record_name_words, records.name_words;
    INSERT INTO records.record_name_words (organization_id, word, record_id)
    SELECT r.organization_id, w.word, r.id
    FROM records.records r CROSS JOIN LATERAL records.name_words_of(r.name_text) AS w(word);
    INSERT INTO records.name_words (organization_id, word)
    SELECT DISTINCT organization_id, word FROM records.record_name_words;
$$;
SELECT records.rebuild_name_words();
"""

LIVE = sa.text('deleted_at IS NULL')


def upgrade() -> None:
    op.create_table('name_words',
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('word', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('organization_id', 'word', name='pk_name_words'),
    schema='records'
    )
    op.create_table('record_name_words',
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('word', sa.Text(), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.records.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'word', 'record_id',
                            name='pk_record_name_words'),
    schema='records'
    )
    op.create_index('ix_records_record_name_words_record_id', 'record_name_words', ['record_id'],
                    unique=False, schema='records')
    op.execute(FUNCTIONS)
    op.execute(REBUILD)
    op.create_index('ix_name_words_trgm', 'name_words', ['organization_id', 'word'],
                    unique=False, schema='records', postgresql_using='gin',
                    postgresql_ops={'word': 'gin_trgm_ops'})
    op.execute("ANALYZE records.name_words; ANALYZE records.record_name_words")
    # substring search in an agency holding most of the table: the agency-first index iterated
    # the agency's whole posting list with the trigrams' (7.8 ms for "%catherin%" over
    # 1,000,000 records in one agency; 2.4 ms with this one). The planner takes this one when
    # the agency is most of the table, the agency-first one when it is a small part.
    op.create_index('ix_records_search_text_trgm', 'records', ['search_text'], unique=False,
                    schema='records', postgresql_using='gin',
                    postgresql_ops={'search_text': 'gin_trgm_ops'}, postgresql_where=LIVE)
    op.drop_index('ix_records_name_trgm', table_name='records', schema='records',
                  postgresql_using='gin', postgresql_where=LIVE)


def downgrade() -> None:
    op.drop_index('ix_records_search_text_trgm', table_name='records', schema='records',
                  postgresql_using='gin', postgresql_where=LIVE)
    op.create_index('ix_records_name_trgm', 'records', ['organization_id', 'name_text'],
                    unique=False, schema='records', postgresql_using='gin',
                    postgresql_ops={'name_text': 'gin_trgm_ops'}, postgresql_where=LIVE)
    op.execute("DROP TRIGGER records_name_words ON records.records;"
               " DROP FUNCTION records.index_name_words(); DROP FUNCTION records.rebuild_name_words();"
               " DROP FUNCTION records.name_words_of(text);")
    op.drop_index('ix_name_words_trgm', table_name='name_words', schema='records',
                  postgresql_using='gin')
    op.drop_index('ix_records_record_name_words_record_id', table_name='record_name_words',
                  schema='records')
    op.drop_table('record_name_words', schema='records')
    op.drop_table('name_words', schema='records')
