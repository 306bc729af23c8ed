"""The notifications service's tables (schema ``notifications``)."""

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
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
from sqlalchemy.dialects.postgresql import JSONB

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


# --- message threads (NOT-5, NOT-6) and mass sending (NOT-7) ---------------------------------
# (migration notifications_0006_threads_and_mass_sends)

# A conversation between one staff member and the client of one record. Every thread is a
# portal thread (the client reads it in the portal); ``started_by`` says who opened it. The
# unread counts are the other side's messages each side has not read yet (reading the thread
# zeroes the reader's). A mass-sent message makes one thread per recipient, unique by
# (mass_send_id, record_id).
threads = Table(
    "threads",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("record_id", Uuid, nullable=False),
    Column("staff_user_id", Uuid, nullable=False),
    Column("started_by", String(10), nullable=False),
    Column("mass_send_id", Uuid),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_message_at", DateTime(timezone=True), nullable=False,
           server_default=func.now()),
    Column("staff_unread", Integer, nullable=False, server_default=text("0")),
    Column("client_unread", Integer, nullable=False, server_default=text("0")),
    CheckConstraint("started_by IN ('staff', 'client')", name="ck_threads_started_by"),
    # the staff inbox, latest first (keyset)
    Index("ix_threads_inbox", "organization_id", "staff_user_id", "last_message_at", "id"),
    # a record's threads in the portal, latest first
    Index("ix_threads_record", "record_id", "last_message_at", "id"),
    Index("uq_threads_mass_send", "mass_send_id", "record_id", unique=True,
          postgresql_where=text("mass_send_id IS NOT NULL")),
)

# The messages of a thread, oldest first; ``body`` is stored sanitised (bold, italic, lists).
messages = Table(
    "messages",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("thread_id", Uuid, ForeignKey("notifications.threads.id", ondelete="CASCADE"),
           nullable=False),
    Column("organization_id", Uuid, nullable=False),
    Column("author", String(10), nullable=False),
    # the staff user who wrote it, or the client's portal account
    Column("author_id", Uuid),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("author IN ('staff', 'client')", name="ck_messages_author"),
    Index("ix_messages_thread", "thread_id", "created_at"),
)

# NOT-7: a message or a request to many clients, run in the background in batches. ``caller``
# is the staff caller who made it (agency, user, permissions; no signature), signed again for
# records' ``create_requests`` when the request goes out.
mass_sends = Table(
    "mass_sends",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("created_by", Uuid, nullable=False),
    Column("caller", JSONB, nullable=False),
    Column("kind", String(10), nullable=False),
    Column("body", Text),
    Column("request", JSONB),
    Column("status", String(10), nullable=False, server_default=text("'running'")),
    Column("total", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True)),
    CheckConstraint("kind IN ('message', 'request')", name="ck_mass_sends_kind"),
    CheckConstraint("status IN ('running', 'done')", name="ck_mass_sends_status"),
)

# One row per recipient, decided once: ``pending`` until a batch claims it (FOR UPDATE SKIP
# LOCKED) and, in the same transaction as what it makes, marks it ``sent``, ``skipped`` or
# ``failed`` with a code. So a worker killed mid-way leaves its batch pending, and the next
# claim does it once.
mass_send_recipients = Table(
    "mass_send_recipients",
    metadata,
    Column("mass_send_id", Uuid, ForeignKey("notifications.mass_sends.id", ondelete="CASCADE"),
           primary_key=True),
    Column("record_id", Uuid, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("outcome", String(10), nullable=False, server_default=text("'pending'")),
    Column("code", String(30)),
    Column("email", String(320)),
    Column("first_name", String(200)),
    Column("thread_id", Uuid),
    Column("request_id", Uuid),
    Column("done_at", DateTime(timezone=True)),
    CheckConstraint("outcome IN ('pending', 'sent', 'skipped', 'failed')",
                    name="ck_mass_send_recipients_outcome"),
    Index("ix_mass_send_recipients_pending", "mass_send_id", "position",
          postgresql_where=text("outcome = 'pending'")),
)
