"""the addresses each account logged in from (login throttling: slow the attacker, not the owner)

Revision ID: identity_0006
Revises: identity_0005
Create Date: 2026-11-30 09:10:00.000000

Login failures are now also counted per (account, address) (scope 'pair', keyed by a hash of
both), and an account's soft limit over every address never refuses an address it logged in from
before: those are remembered here as a SHA-256 of the login name and the address, never the
address itself (services/identity/domain.py, "login throttling"). Existing failure counters are
kept: their scopes ('account', 'address') mean what they meant.
"""

import sqlalchemy as sa
from alembic import op

revision = 'identity_0006'
down_revision = 'identity_0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_known_addresses',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('digest'),
        schema='identity')


def downgrade() -> None:
    op.execute("DELETE FROM identity.login_failures WHERE scope = 'pair'")
    op.drop_table('login_known_addresses', schema='identity')
