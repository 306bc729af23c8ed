"""case numbers are unique in an agency whatever their letter case

Revision ID: records_0008
Revises: records_0007
Create Date: 2026-11-30 09:10:00.000000

`C-1` and `c-1` could live side by side in one agency (issue 19). The unique constraint on
(organization_id, case_number) becomes a unique index on (organization_id, lower(case_number)),
over every record as before (a deleted record keeps its number for its restore), under the same
name, so that a lost race is still recognised as ``duplicate_case_number`` (409).

Existing duplicates: in each group of one agency's case numbers that differ only in letter case,
the oldest record (created_at, then id) keeps its number; each later one is renumbered to its
number (cut to 37 characters) + ``-dup-`` + the first 8 hex digits of its id, which is unique
and still says where it came from. Its search text follows, and each renumbering leaves an audit
row (``record_updated``, no actor, request id ``migration records_0008``) so the trail says who
changed it and why; staff may give it another number afterwards. Nothing is deleted.
"""

from alembic import op

revision = 'records_0008'
down_revision = 'records_0007'
branch_labels = None
depends_on = None

CONSTRAINT = 'uq_records_org_case_number'


def upgrade() -> None:
    op.execute("""
        CREATE TEMPORARY TABLE renumbered ON COMMIT DROP AS
        SELECT id, organization_id, case_number AS old_number,
               left(case_number, 37) || '-dup-' || left(replace(id::text, '-', ''), 8)
                   AS new_number
          FROM (SELECT id, organization_id, case_number,
                       row_number() OVER (PARTITION BY organization_id, lower(case_number)
                                          ORDER BY created_at, id) AS n
                  FROM records.records) AS ranked
         WHERE n > 1
    """)
    op.execute("""
        UPDATE records.records AS r
           SET case_number = d.new_number,
               search_text = lower(concat_ws(' ',
                   nullif(btrim(r.first_name), ''), nullif(btrim(r.last_name), ''),
                   nullif(btrim(r.email), ''), d.new_number,
                   (SELECT string_agg(digits, ' ')
                      FROM (SELECT regexp_replace(coalesce(p ->> 'number', ''), '[^0-9]', '',
                                                  'g') AS digits
                              FROM jsonb_array_elements(r.phones) AS p) AS phone
                     WHERE digits <> ''))),
               updated_at = now()
          FROM renumbered AS d
         WHERE r.id = d.id
    """)
    op.execute("""
        INSERT INTO records.audit_entries (organization_id, record_id, actor_id, action, changes,
                                           request_id)
        SELECT organization_id, id, NULL, 'record_updated',
               jsonb_build_object('case_number', jsonb_build_object('old', old_number,
                                                                    'new', new_number)),
               'migration records_0008'
          FROM renumbered
    """)
    op.drop_constraint(CONSTRAINT, 'records', schema='records', type_='unique')
    op.execute(f"CREATE UNIQUE INDEX {CONSTRAINT} ON records.records"
               " (organization_id, lower(case_number))")


def downgrade() -> None:
    op.drop_index(CONSTRAINT, table_name='records', schema='records')
    op.create_unique_constraint(CONSTRAINT, 'records', ['organization_id', 'case_number'],
                                schema='records')
