"""nothing lost, everything accountable: searches and contacts in the audit trail, the agency's
whole trail queried by user, record, action and time, staff roles

Revision ID: records_0011
Revises: records_0010
Create Date: 2026-11-30 09:20:00.000000

A search is audited like a read (issue 18): one row per search, with no single record
(``record_id`` null) but the ids of the records it returned (``record_ids``, found by a record's
id through their GIN index). Contact reads and changes name the contact (``contact_id``). The
agency's trail is read newest first by time, by user or by record; staff users keep their
role's name, as identity announces it. The CSV import finds duplicate case numbers in any case
through an index on the lower-cased case number.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'records_0011'
down_revision = 'records_0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column('audit_entries', 'record_id', existing_type=sa.Uuid(), nullable=True,
                    schema='records')
    op.add_column('audit_entries', sa.Column('record_ids', postgresql.ARRAY(sa.Uuid()),
                                             nullable=True), schema='records')
    op.add_column('audit_entries', sa.Column('contact_id', sa.Uuid(), nullable=True),
                  schema='records')
    op.create_index('ix_audit_org_at', 'audit_entries', ['organization_id', 'at'],
                    schema='records')
    op.create_index('ix_audit_org_actor_at', 'audit_entries', ['organization_id', 'actor_id', 'at'],
                    schema='records')
    op.create_index('ix_audit_record_ids', 'audit_entries', ['record_ids'], schema='records',
                    postgresql_using='gin',
                    postgresql_where=sa.text('record_ids IS NOT NULL'))
    op.add_column('staff_users', sa.Column('role', sa.String(length=100), nullable=True),
                  schema='records')
    # (the CSV import's duplicates by case number in any letter case probe the unique index on
    # (organization_id, lower(case_number)) of records_0008)


def downgrade() -> None:
    op.drop_column('staff_users', 'role', schema='records')
    op.drop_index('ix_audit_record_ids', table_name='audit_entries', schema='records')
    op.drop_index('ix_audit_org_actor_at', table_name='audit_entries', schema='records')
    op.drop_index('ix_audit_org_at', table_name='audit_entries', schema='records')
    op.drop_column('audit_entries', 'contact_id', schema='records')
    op.drop_column('audit_entries', 'record_ids', schema='records')
    op.alter_column('audit_entries', 'record_id', existing_type=sa.Uuid(), nullable=False,
                    schema='records')
