"""requests to clients and what fulfils them: assessments, requests, documents, ROIs (REQ-1..3)

Revision ID: records_0012
Revises: records_0011
Create Date: 2026-11-30 11:40:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'records_0012'
down_revision = 'records_0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'assessments',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('questions', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('requestable', sa.Boolean(), server_default=sa.text('true'), nullable=False),
        sa.Column('created_by', sa.Uuid(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.PrimaryKeyConstraint('id'),
        schema='records')
    op.create_index('ix_assessments_org_created', 'assessments',
                    ['organization_id', 'created_at', 'id'], schema='records')
    op.create_table(
        'client_requests',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('record_id', sa.Uuid(), nullable=False),
        sa.Column('type', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), server_default=sa.text("'requested'"),
                  nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('private', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.Column('assessment_id', sa.Uuid(), nullable=True),
        sa.Column('document_category', sa.String(length=50), nullable=True),
        sa.Column('document_name', sa.String(length=200), nullable=True),
        sa.Column('requested_by', sa.Uuid(), nullable=True),
        sa.Column('requested_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.Column('bulk_key', sa.String(length=200), nullable=True),
        sa.Column('fulfilled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answers', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column('location', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column('document_id', sa.Uuid(), nullable=True),
        sa.Column('roi_id', sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(['assessment_id'], ['records.assessments.id']),
        sa.ForeignKeyConstraint(['record_id'], ['records.records.id']),
        sa.PrimaryKeyConstraint('id'),
        schema='records')
    op.create_index('ix_client_requests_record', 'client_requests',
                    ['record_id', 'requested_at', 'id'], schema='records')
    op.create_index('uq_client_requests_bulk_key', 'client_requests',
                    ['organization_id', 'bulk_key', 'record_id'], unique=True, schema='records',
                    postgresql_where=sa.text('bulk_key IS NOT NULL'))
    op.create_table(
        'client_documents',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('record_id', sa.Uuid(), nullable=False),
        sa.Column('request_id', sa.Uuid(), nullable=True),
        sa.Column('category', sa.String(length=50), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=50), nullable=False),
        sa.Column('byte_size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('private', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.ForeignKeyConstraint(['record_id'], ['records.records.id']),
        sa.ForeignKeyConstraint(['request_id'], ['records.client_requests.id']),
        sa.PrimaryKeyConstraint('id'),
        schema='records')
    op.create_index('ix_client_documents_record', 'client_documents',
                    ['record_id', 'uploaded_at', 'id'], schema='records')
    op.create_table(
        'client_rois',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('record_id', sa.Uuid(), nullable=False),
        sa.Column('request_id', sa.Uuid(), nullable=True),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=False),
        sa.Column('signed_name', sa.String(length=200), nullable=False),
        sa.Column('signed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.ForeignKeyConstraint(['record_id'], ['records.records.id']),
        sa.ForeignKeyConstraint(['request_id'], ['records.client_requests.id']),
        sa.PrimaryKeyConstraint('id'),
        schema='records')
    op.create_index('ix_client_rois_record', 'client_rois', ['record_id', 'expires_on'],
                    schema='records')


def downgrade() -> None:
    op.drop_index('ix_client_rois_record', table_name='client_rois', schema='records')
    op.drop_table('client_rois', schema='records')
    op.drop_index('ix_client_documents_record', table_name='client_documents', schema='records')
    op.drop_table('client_documents', schema='records')
    op.drop_index('uq_client_requests_bulk_key', table_name='client_requests', schema='records')
    op.drop_index('ix_client_requests_record', table_name='client_requests', schema='records')
    op.drop_table('client_requests', schema='records')
    op.drop_index('ix_assessments_org_created', table_name='assessments', schema='records')
    op.drop_table('assessments', schema='records')
