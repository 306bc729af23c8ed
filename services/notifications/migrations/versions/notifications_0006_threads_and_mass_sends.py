"""message threads between staff and clients, and mass sending (NOT-5 to NOT-7)

Revision ID: notifications_0006
Revises: notifications_0005
Create Date: 2026-11-30 11:40:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'notifications_0006'
down_revision = 'notifications_0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('threads',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('staff_user_id', sa.Uuid(), nullable=False),
    sa.Column('started_by', sa.String(length=10), nullable=False),
    sa.Column('mass_send_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_message_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('staff_unread', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('client_unread', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.CheckConstraint("started_by IN ('staff', 'client')", name='ck_threads_started_by'),
    sa.PrimaryKeyConstraint('id'),
    schema='notifications'
    )
    op.create_index('ix_threads_inbox', 'threads', ['organization_id', 'staff_user_id', 'last_message_at', 'id'], unique=False, schema='notifications')
    op.create_index('ix_threads_record', 'threads', ['record_id', 'last_message_at', 'id'], unique=False, schema='notifications')
    op.create_index('uq_threads_mass_send', 'threads', ['mass_send_id', 'record_id'], unique=True, schema='notifications', postgresql_where=sa.text('mass_send_id IS NOT NULL'))
    op.create_table('messages',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('thread_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('author', sa.String(length=10), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("author IN ('staff', 'client')", name='ck_messages_author'),
    sa.ForeignKeyConstraint(['thread_id'], ['notifications.threads.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    schema='notifications'
    )
    op.create_index('ix_messages_thread', 'messages', ['thread_id', 'created_at'], unique=False, schema='notifications')
    op.create_table('mass_sends',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('caller', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('request', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('status', sa.String(length=10), server_default=sa.text("'running'"), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('message', 'request')", name='ck_mass_sends_kind'),
    sa.CheckConstraint("status IN ('running', 'done')", name='ck_mass_sends_status'),
    sa.PrimaryKeyConstraint('id'),
    schema='notifications'
    )
    op.create_table('mass_send_recipients',
    sa.Column('mass_send_id', sa.Uuid(), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=10), server_default=sa.text("'pending'"), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('first_name', sa.String(length=200), nullable=True),
    sa.Column('thread_id', sa.Uuid(), nullable=True),
    sa.Column('request_id', sa.Uuid(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("outcome IN ('pending', 'sent', 'skipped', 'failed')", name='ck_mass_send_recipients_outcome'),
    sa.ForeignKeyConstraint(['mass_send_id'], ['notifications.mass_sends.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mass_send_id', 'record_id'),
    schema='notifications'
    )
    op.create_index('ix_mass_send_recipients_pending', 'mass_send_recipients', ['mass_send_id', 'position'], unique=False, schema='notifications', postgresql_where=sa.text("outcome = 'pending'"))


def downgrade() -> None:
    op.drop_index('ix_mass_send_recipients_pending', table_name='mass_send_recipients', schema='notifications', postgresql_where=sa.text("outcome = 'pending'"))
    op.drop_table('mass_send_recipients', schema='notifications')
    op.drop_table('mass_sends', schema='notifications')
    op.drop_index('ix_messages_thread', table_name='messages', schema='notifications')
    op.drop_table('messages', schema='notifications')
    op.drop_index('uq_threads_mass_send', table_name='threads', schema='notifications', postgresql_where=sa.text('mass_send_id IS NOT NULL'))
    op.drop_index('ix_threads_record', table_name='threads', schema='notifications')
    op.drop_index('ix_threads_inbox', table_name='threads', schema='notifications')
    op.drop_table('threads', schema='notifications')
