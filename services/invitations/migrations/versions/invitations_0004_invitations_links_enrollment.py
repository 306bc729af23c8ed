"""direct invitations, global invitation links and enrollment requests (INV-1 to INV-6)

Revision ID: invitations_0004
Revises: invitations_0003
Create Date: 2026-11-30 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'invitations_0004'
down_revision = 'invitations_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invitations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('organization_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('first_name', sa.String(length=200), nullable=False),
    sa.Column('last_name', sa.String(length=200), nullable=False),
    sa.Column('phones', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('preferred_contact_methods', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('sends', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('status', sa.String(length=20), server_default=sa.text("'pending'"), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('global_record_id', sa.Uuid(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'superseded')", name='ck_invitations_status'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash'),
    schema='invitations'
    )
    op.create_index('ix_invitations_org_record', 'invitations', ['organization_id', 'record_id', 'created_at'], unique=False, schema='invitations')
    op.create_table('invitation_links',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('organization_name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug'),
    schema='invitations'
    )
    op.create_index(op.f('ix_invitations_invitation_links_organization_id'), 'invitation_links', ['organization_id'], unique=False, schema='invitations')
    op.create_table('enrollment_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('link_id', sa.Uuid(), nullable=False),
    sa.Column('global_record_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('first_name', sa.String(length=200), nullable=False),
    sa.Column('last_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('phones', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('status', sa.String(length=20), server_default=sa.text("'pending'"), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=True),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'rejected')", name='ck_enrollment_requests_status'),
    sa.ForeignKeyConstraint(['link_id'], ['invitations.invitation_links.id'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='invitations'
    )
    op.create_index('ix_enrollment_requests_org_status', 'enrollment_requests', ['organization_id', 'status', 'created_at', 'id'], unique=False, schema='invitations')
    op.create_index('uq_enrollment_requests_pending', 'enrollment_requests', ['organization_id', 'global_record_id'], unique=True, schema='invitations', postgresql_where=sa.text("status = 'pending'"))


def downgrade() -> None:
    op.drop_index('uq_enrollment_requests_pending', table_name='enrollment_requests', schema='invitations', postgresql_where=sa.text("status = 'pending'"))
    op.drop_index('ix_enrollment_requests_org_status', table_name='enrollment_requests', schema='invitations')
    op.drop_table('enrollment_requests', schema='invitations')
    op.drop_index(op.f('ix_invitations_invitation_links_organization_id'), table_name='invitation_links', schema='invitations')
    op.drop_table('invitation_links', schema='invitations')
    op.drop_index('ix_invitations_org_record', table_name='invitations', schema='invitations')
    op.drop_table('invitations', schema='invitations')
