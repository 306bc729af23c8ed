"""complete client record

Revision ID: records_0002
Revises: records_0001
Create Date: 2026-11-23 02:37:53.341232
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'records_0002'
down_revision = 'records_0001'
branch_labels = None
depends_on = None

# REC-15, QUALITY S5: the audit trail and the status history are append-only in the database
# itself, whatever the application does: UPDATE, DELETE and TRUNCATE are refused.
APPEND_ONLY = """
CREATE FUNCTION records.refuse_change_of_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON records.audit_entries
    FOR EACH ROW EXECUTE FUNCTION records.refuse_change_of_history();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON records.audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION records.refuse_change_of_history();
CREATE TRIGGER status_history_append_only BEFORE UPDATE OR DELETE ON records.status_history
    FOR EACH ROW EXECUTE FUNCTION records.refuse_change_of_history();
CREATE TRIGGER status_history_no_truncate BEFORE TRUNCATE ON records.status_history
    FOR EACH STATEMENT EXECUTE FUNCTION records.refuse_change_of_history();
"""


def upgrade() -> None:
    op.create_table('client_types',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organization_id', 'name', name='uq_client_types_org_name'),
    schema='records'
    )
    op.create_table('contacts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('first_name', sa.String(length=200), nullable=True),
    sa.Column('last_name', sa.String(length=200), nullable=True),
    sa.Column('organisation_name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phones', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('address', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    schema='records'
    )
    op.create_index('ix_contacts_org_created', 'contacts', ['organization_id', 'created_at', 'id'], unique=False, schema='records')
    op.create_index('ix_contacts_search_trgm', 'contacts', ['search_text'], unique=False, schema='records', postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
    op.create_table('groups',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organization_id', 'name', name='uq_groups_org_name'),
    schema='records'
    )
    op.create_table('staff_users',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('first_name', sa.String(length=200), nullable=True),
    sa.Column('last_name', sa.String(length=200), nullable=True),
    sa.Column('name', sa.String(length=400), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('allow_client_initiated_contact', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id'),
    schema='records'
    )
    op.create_index(op.f('ix_records_staff_users_organization_id'), 'staff_users', ['organization_id'], unique=False, schema='records')
    op.create_table('warning_indicators',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('colour', sa.String(length=7), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organization_id', 'name', name='uq_warning_indicators_org_name'),
    schema='records'
    )
    op.create_table('group_members',
    sa.Column('group_id', sa.Uuid(), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('added_by', sa.Uuid(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['records.groups.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_id'], ['records.records.id'], ),
    sa.PrimaryKeyConstraint('group_id', 'record_id', name='pk_group_members'),
    schema='records'
    )
    op.create_index(op.f('ix_records_group_members_record_id'), 'group_members', ['record_id'], unique=False, schema='records')
    op.create_table('record_contacts',
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('contact_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('contact_types', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('relationship', sa.String(length=100), nullable=False),
    sa.Column('organisation_reference', sa.String(length=200), nullable=True),
    sa.Column('connection_role', sa.String(length=100), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['records.contacts.id'], ),
    sa.ForeignKeyConstraint(['record_id'], ['records.records.id'], ),
    sa.PrimaryKeyConstraint('record_id', 'contact_id', name='pk_record_contacts'),
    schema='records'
    )
    op.create_index(op.f('ix_records_record_contacts_contact_id'), 'record_contacts', ['contact_id'], unique=False, schema='records')
    op.create_table('record_images',
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.Uuid(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.records.id'], ),
    sa.PrimaryKeyConstraint('record_id'),
    schema='records'
    )
    op.create_table('record_navigators',
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('assigned_by', sa.Uuid(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.records.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['records.staff_users.user_id'], ),
    sa.PrimaryKeyConstraint('record_id', 'user_id', name='pk_record_navigators'),
    schema='records'
    )
    op.create_index(op.f('ix_records_record_navigators_user_id'), 'record_navigators', ['user_id'], unique=False, schema='records')
    op.create_table('record_notes',
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.records.id'], ),
    sa.PrimaryKeyConstraint('record_id'),
    schema='records'
    )
    op.create_table('record_warning_indicators',
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('indicator_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['records.warning_indicators.id'], ),
    sa.ForeignKeyConstraint(['record_id'], ['records.records.id'], ),
    sa.PrimaryKeyConstraint('record_id', 'indicator_id', name='pk_record_warning_indicators'),
    schema='records'
    )
    op.create_index(op.f('ix_records_record_warning_indicators_indicator_id'), 'record_warning_indicators', ['indicator_id'], unique=False, schema='records')
    op.drop_index(op.f('ix_audit_record_at'), table_name='audit_entries', schema='records')
    op.create_index('ix_audit_record_id', 'audit_entries', ['organization_id', 'record_id', 'id'], unique=False, schema='records')
    # existing rows get their name columns from their names, then the columns lose the default
    op.add_column('records', sa.Column('name_text', sa.Text(), server_default='', nullable=False), schema='records')
    op.add_column('records', sa.Column('sort_name', sa.Text(collation='C'), server_default='', nullable=False), schema='records')
    op.execute("UPDATE records.records SET name_text = lower(first_name || ' ' || last_name),"
               " sort_name = lower(last_name || ' ' || first_name)")
    op.alter_column('records', 'name_text', server_default=None, schema='records')
    op.alter_column('records', 'sort_name', server_default=None, schema='records')
    op.add_column('records', sa.Column('invitation_sent_at', sa.DateTime(timezone=True), nullable=True), schema='records')
    op.add_column('records', sa.Column('invitation_email', sa.String(length=320), nullable=True), schema='records')
    op.add_column('records', sa.Column('deleted_by', sa.Uuid(), nullable=True), schema='records')
    op.drop_index(op.f('ix_records_org_created'), table_name='records', schema='records')
    op.create_index('ix_records_org_created', 'records', ['organization_id', 'created_at', 'id'], unique=False, schema='records', postgresql_where=sa.text('deleted_at IS NULL'))
    # global search serves live records only (REC-10: deleted ones never match)
    op.drop_index('ix_records_search_trgm', table_name='records', schema='records')
    op.create_index('ix_records_search_trgm', 'records', ['search_text'], unique=False, schema='records', postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'}, postgresql_where=sa.text('deleted_at IS NULL'))
    op.create_index('ix_records_name_trgm', 'records', ['name_text'], unique=False, schema='records', postgresql_using='gin', postgresql_ops={'name_text': 'gin_trgm_ops'}, postgresql_where=sa.text('deleted_at IS NULL'))
    op.create_index('ix_records_org_sort_name', 'records', ['organization_id', 'sort_name', 'id'], unique=False, schema='records', postgresql_where=sa.text('deleted_at IS NULL'))
    op.execute(APPEND_ONLY)


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_entries_append_only ON records.audit_entries;"
               " DROP TRIGGER audit_entries_no_truncate ON records.audit_entries;"
               " DROP TRIGGER status_history_append_only ON records.status_history;"
               " DROP TRIGGER status_history_no_truncate ON records.status_history;"
               " DROP FUNCTION records.refuse_change_of_history()")
    op.drop_index('ix_records_search_trgm', table_name='records', schema='records')
    op.create_index('ix_records_search_trgm', 'records', ['search_text'], unique=False, schema='records', postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
    op.drop_index('ix_records_org_sort_name', table_name='records', schema='records', postgresql_where=sa.text('deleted_at IS NULL'))
    op.drop_index('ix_records_name_trgm', table_name='records', schema='records', postgresql_using='gin', postgresql_ops={'name_text': 'gin_trgm_ops'}, postgresql_where=sa.text('deleted_at IS NULL'))
    op.drop_index('ix_records_org_created', table_name='records', schema='records', postgresql_where=sa.text('deleted_at IS NULL'))
    op.create_index(op.f('ix_records_org_created'), 'records', ['organization_id', 'created_at'], unique=False, schema='records')
    op.drop_column('records', 'deleted_by', schema='records')
    op.drop_column('records', 'invitation_email', schema='records')
    op.drop_column('records', 'invitation_sent_at', schema='records')
    op.drop_column('records', 'sort_name', schema='records')
    op.drop_column('records', 'name_text', schema='records')
    op.drop_index('ix_audit_record_id', table_name='audit_entries', schema='records')
    op.create_index(op.f('ix_audit_record_at'), 'audit_entries', ['organization_id', 'record_id', 'at'], unique=False, schema='records')
    op.drop_index(op.f('ix_records_record_warning_indicators_indicator_id'), table_name='record_warning_indicators', schema='records')
    op.drop_table('record_warning_indicators', schema='records')
    op.drop_table('record_notes', schema='records')
    op.drop_index(op.f('ix_records_record_navigators_user_id'), table_name='record_navigators', schema='records')
    op.drop_table('record_navigators', schema='records')
    op.drop_table('record_images', schema='records')
    op.drop_index(op.f('ix_records_record_contacts_contact_id'), table_name='record_contacts', schema='records')
    op.drop_table('record_contacts', schema='records')
    op.drop_index(op.f('ix_records_group_members_record_id'), table_name='group_members', schema='records')
    op.drop_table('group_members', schema='records')
    op.drop_table('warning_indicators', schema='records')
    op.drop_index(op.f('ix_records_staff_users_organization_id'), table_name='staff_users', schema='records')
    op.drop_table('staff_users', schema='records')
    op.drop_table('groups', schema='records')
    op.drop_index('ix_contacts_search_trgm', table_name='contacts', schema='records', postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
    op.drop_index('ix_contacts_org_created', table_name='contacts', schema='records')
    op.drop_table('contacts', schema='records')
    op.drop_table('client_types', schema='records')
