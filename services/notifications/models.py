"""The notifications service's tables (schema ``notifications``)."""

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    func,
    text,
)

from casework.tables import add_messaging_tables

metadata = MetaData(schema="notifications")
messaging = add_messaging_tables(metadata)

EMAIL_STATUSES = ("queued", "failed", "sent", "dead")

# NOT-3: every e-mail other services queue (``send_email``), rendered when queued, sent by the
# sender loop (``services.notifications.sender``). ``key`` makes queueing idempotent. The body
# is the only place a link's token is kept, and only until the e-mail is sent (then it is
# emptied); no password is ever passed in (the contract's context holds only what the e-mail
# shows).
emails = Table(
    "emails",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("organization_id", Uuid),
    Column("template", String(50), nullable=False),
    Column("to_address", String(320), nullable=False),
    Column("from_name", String(200), nullable=False),
    Column("subject", String(400), nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("status", String(10), nullable=False, server_default=text("'queued'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False,
           server_default=func.now()),
    Column("last_error", Text),
    Column("message_id", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    Column("dead_at", DateTime(timezone=True)),
    CheckConstraint("status IN ('queued', 'failed', 'sent', 'dead')", name="ck_emails_status"),
    # the sender's claim: what is due, oldest first
    Index("ix_emails_due", "next_attempt_at",
          postgresql_where=text("status IN ('queued', 'failed')")),
    Index("ix_emails_dead", "dead_at", postgresql_where=text("status = 'dead'")),
)

# The agency's name and mail settings, copied from identity's events (``organization_created``,
# ``organization_mail_settings_updated``): the sender name and the agency's own welcome text.
# ``changed_at`` is the ``occurred_at`` of the event applied last: an older one never wins.
organizations = Table(
    "organizations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("sender_name", String(200)),
    Column("welcome_template", Text),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)
