"""password reset links

Revision ID: identity_0007
Revises: identity_0006
Create Date: 2026-11-30 10:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = 'identity_0007'
down_revision = 'identity_0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('password_resets',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
              nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('staff', 'portal')", name='ck_password_resets_kind'),
    sa.ForeignKeyConstraint(['account_id'], ['identity.portal_accounts.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['identity.staff_users.id'], ),
    sa.PrimaryKeyConstraint('token_hash'),
    schema='identity'
    )
    op.create_index('ix_password_resets_account', 'password_resets', ['account_id'],
                    unique=False, schema='identity',
                    postgresql_where=sa.text('used_at IS NULL'))
    op.create_index('ix_password_resets_user', 'password_resets', ['user_id'], unique=False,
                    schema='identity', postgresql_where=sa.text('used_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_password_resets_user', table_name='password_resets', schema='identity',
                  postgresql_where=sa.text('used_at IS NULL'))
    op.drop_index('ix_password_resets_account', table_name='password_resets', schema='identity',
                  postgresql_where=sa.text('used_at IS NULL'))
    op.drop_table('password_resets', schema='identity')
