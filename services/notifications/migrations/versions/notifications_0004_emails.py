"""e-mails queued for sending, and the agencies' mail settings (NOT-3, NOT-4)

Revision ID: notifications_0004
Revises: notifications_0003
Create Date: 2026-11-30 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = 'notifications_0004'
down_revision = 'notifications_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('emails',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=True),
    sa.Column('template', sa.String(length=50), nullable=False),
    sa.Column('to_address', sa.String(length=320), nullable=False),
    sa.Column('from_name', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=400), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), server_default=sa.text("'queued'"), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dead_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'failed', 'sent', 'dead')", name='ck_emails_status'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key'),
    schema='notifications'
    )
    op.create_index('ix_emails_due', 'emails', ['next_attempt_at'], unique=False, schema='notifications', postgresql_where=sa.text("status IN ('queued', 'failed')"))
    op.create_index('ix_emails_dead', 'emails', ['dead_at'], unique=False, schema='notifications', postgresql_where=sa.text("status = 'dead'"))
    op.create_table('organizations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sender_name', sa.String(length=200), nullable=True),
    sa.Column('welcome_template', sa.Text(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    schema='notifications'
    )


def downgrade() -> None:
    op.drop_table('organizations', schema='notifications')
    op.drop_index('ix_emails_dead', table_name='emails', schema='notifications', postgresql_where=sa.text("status = 'dead'"))
    op.drop_index('ix_emails_due', table_name='emails', schema='notifications', postgresql_where=sa.text("status IN ('queued', 'failed')"))
    op.drop_table('emails', schema='notifications')
