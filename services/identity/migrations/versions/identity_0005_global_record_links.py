"""global record links and per-field versions (ID-4)

Revision ID: identity_0005
Revises: identity_0004
Create Date: 2026-11-30 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'identity_0005'
down_revision = 'identity_0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('global_records', sa.Column(
        'field_versions', postgresql.JSONB(astext_type=sa.Text()),
        server_default=sa.text("'{}'::jsonb"), nullable=False), schema='identity')
    op.create_table('global_record_links',
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('global_record_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['global_record_id'], ['identity.global_records.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['identity.organizations.id'], ),
    sa.PrimaryKeyConstraint('organization_id', 'record_id'),
    schema='identity'
    )
    op.create_index(op.f('ix_identity_global_record_links_global_record_id'),
                    'global_record_links', ['global_record_id'], unique=False, schema='identity')


def downgrade() -> None:
    op.drop_index(op.f('ix_identity_global_record_links_global_record_id'),
                  table_name='global_record_links', schema='identity')
    op.drop_table('global_record_links', schema='identity')
    op.drop_column('global_records', 'field_versions', schema='identity')
