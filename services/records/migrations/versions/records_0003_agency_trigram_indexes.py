"""agency-leading trigram indexes, and the cost of the similarity operator

Revision ID: records_0003
Revises: records_0002
Create Date: 2026-11-23 03:40:00.000000

Global search measured on 1,000,000 records (one agency, and 100 agencies of 10,000): with the
trigram GIN indexes on the text alone, an agency's search rechecked every agency's candidates
(one word similarity each, ~30 µs); leading with organization_id (btree_gin) keeps it to the
agency's own. The planner also believed the similarity operator costs what an equality does,
so a capped search could be planned as a sequential scan betting to find matches early: its
declared cost is raised to what it is, about a hundred simple operators.
"""

import sqlalchemy as sa
from alembic import op

revision = 'records_0003'
down_revision = 'records_0002'
branch_labels = None
depends_on = None

OPERATOR_COST = """
DO $$
DECLARE trgm_schema text := (SELECT extnamespace::regnamespace::text FROM pg_extension
                             WHERE extname = 'pg_trgm');
BEGIN
    EXECUTE format('ALTER FUNCTION %s.word_similarity_commutator_op(text, text) COST %s',
                   trgm_schema, {cost});
END
$$;
"""
LIVE = sa.text('deleted_at IS NULL')


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.execute(OPERATOR_COST.format(cost=100))
    for name, column in (('ix_records_search_trgm', 'search_text'),
                         ('ix_records_name_trgm', 'name_text')):
        op.drop_index(name, table_name='records', schema='records')
        op.create_index(name, 'records', ['organization_id', column], unique=False,
                        schema='records', postgresql_using='gin',
                        postgresql_ops={column: 'gin_trgm_ops'}, postgresql_where=LIVE)
    op.drop_index('ix_contacts_search_trgm', table_name='contacts', schema='records')
    op.create_index('ix_contacts_search_trgm', 'contacts', ['organization_id', 'search_text'],
                    unique=False, schema='records', postgresql_using='gin',
                    postgresql_ops={'search_text': 'gin_trgm_ops'})


def downgrade() -> None:
    for name, column in (('ix_records_search_trgm', 'search_text'),
                         ('ix_records_name_trgm', 'name_text')):
        op.drop_index(name, table_name='records', schema='records')
        op.create_index(name, 'records', [column], unique=False, schema='records',
                        postgresql_using='gin', postgresql_ops={column: 'gin_trgm_ops'},
                        postgresql_where=LIVE)
    op.drop_index('ix_contacts_search_trgm', table_name='contacts', schema='records')
    op.create_index('ix_contacts_search_trgm', 'contacts', ['search_text'], unique=False,
                    schema='records', postgresql_using='gin',
                    postgresql_ops={'search_text': 'gin_trgm_ops'})
    op.execute(OPERATOR_COST.format(cost=1))
