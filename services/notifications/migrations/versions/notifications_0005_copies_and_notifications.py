"""copies of records, navigators and staff users; in-app notifications, preferences, digests

Revision ID: notifications_0005
Revises: notifications_0004
Create Date: 2026-11-30 11:40:00.000000

What the delivery rules need of other services, kept from their events (NOT-1, NOT-2, NOT-6):
records, their navigators and the agency's staff users; the agency's NOT-2 setting and time zone.
And the in-app notifications, each staff member's delivery preference per kind and the daily
digests sent.
"""

import sqlalchemy as sa
from alembic import op

revision = 'notifications_0005'
down_revision = 'notifications_0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('organizations', sa.Column('suppress_closed_records', sa.Boolean(),
                                             server_default=sa.text('false'), nullable=False),
                  schema='notifications')
    op.add_column('organizations', sa.Column('timezone', sa.String(length=64),
                                             server_default=sa.text("'UTC'"), nullable=False),
                  schema='notifications')
    op.add_column('organizations', sa.Column('timezone_at', sa.DateTime(timezone=True),
                                             nullable=True),
                  schema='notifications')
    op.create_table('records',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=True),
    sa.Column('case_number', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('deleted', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('portal_status', sa.String(length=30), nullable=True),
    sa.Column('status_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('portal_status_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    schema='notifications'
    )
    op.create_index('ix_records_organization', 'records', ['organization_id'], unique=False,
                    schema='notifications')
    op.create_table('navigators',
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('assigned', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('record_id', 'user_id', name='pk_navigators'),
    schema='notifications'
    )
    op.create_index('ix_navigators_user', 'navigators', ['organization_id', 'user_id'],
                    unique=False, schema='notifications', postgresql_where=sa.text('assigned'))
    op.create_table('staff_users',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('name', sa.String(length=400), nullable=True),
    sa.Column('role', sa.String(length=100), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('allow_client_initiated_contact', sa.Boolean(), server_default=sa.text('false'),
              nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    schema='notifications'
    )
    op.create_index(op.f('ix_notifications_staff_users_organization_id'), 'staff_users',
                    ['organization_id'], unique=False, schema='notifications')
    op.create_table('notifications',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('delivery', sa.String(length=10), server_default=sa.text("'in_app'"),
              nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
              nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('digested_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("delivery IN ('in_app', 'email', 'digest')",
                       name='ck_notifications_delivery'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key'),
    schema='notifications'
    )
    op.create_index('ix_notifications_user', 'notifications',
                    ['organization_id', 'user_id', 'created_at', 'id'], unique=False,
                    schema='notifications')
    op.create_index('ix_notifications_undelivered', 'notifications',
                    ['organization_id', 'record_id'], unique=False, schema='notifications',
                    postgresql_where=sa.text('user_id IS NULL'))
    op.create_index('ix_notifications_digest_due', 'notifications', ['user_id', 'created_at'],
                    unique=False, schema='notifications',
                    postgresql_where=sa.text("delivery = 'digest' AND digested_at IS NULL"))
    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('delivery', sa.String(length=10), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
              nullable=False),
    sa.CheckConstraint("delivery IN ('in_app', 'email', 'digest')",
                       name='ck_notification_preferences_delivery'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name='pk_notification_preferences'),
    schema='notifications'
    )
    op.create_table('digests',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('notifications', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
              nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'day', name='pk_digests'),
    schema='notifications'
    )


def downgrade() -> None:
    op.drop_table('digests', schema='notifications')
    op.drop_table('notification_preferences', schema='notifications')
    op.drop_index('ix_notifications_digest_due', table_name='notifications',
                  schema='notifications')
    op.drop_index('ix_notifications_undelivered', table_name='notifications',
                  schema='notifications')
    op.drop_index('ix_notifications_user', table_name='notifications', schema='notifications')
    op.drop_table('notifications', schema='notifications')
    op.drop_index(op.f('ix_notifications_staff_users_organization_id'), table_name='staff_users',
                  schema='notifications')
    op.drop_table('staff_users', schema='notifications')
    op.drop_index('ix_navigators_user', table_name='navigators', schema='notifications')
    op.drop_table('navigators', schema='notifications')
    op.drop_index('ix_records_organization', table_name='records', schema='notifications')
    op.drop_table('records', schema='notifications')
    op.drop_column('organizations', 'timezone_at', schema='notifications')
    op.drop_column('organizations', 'timezone', schema='notifications')
    op.drop_column('organizations', 'suppress_closed_records', schema='notifications')
