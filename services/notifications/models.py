"""The notifications service's tables (schema ``notifications``)."""

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
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
    # NOT-2: identity's ``disable_notifications_for_closed_records`` (with the mail settings)
    Column("suppress_closed_records", Boolean, nullable=False, server_default=text("false")),
    # the agency's time zone (organization_created / organization_updated): digests go out
    # at an hour of the agency's day; kept apart from the mail settings' ``changed_at``
    Column("timezone", String(64), nullable=False, server_default=text("'UTC'")),
    Column("timezone_at", DateTime(timezone=True)),
)

# --- copies kept from other services' events (records.events, identity.events) -------------
# What the delivery rules need to know (NOT-1, NOT-2, NOT-6), each applied once (inbox) and
# never overwritten by an older event: each group of fields carries the ``occurred_at`` of the
# event that last set it (``*_at``; events about one record may arrive out of order), and
# ``changed_at`` is the latest of them.

records = Table(
    "records",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("kind", String(20)),
    Column("case_number", String(100)),
    Column("status", String(20)),
    Column("deleted", Boolean, nullable=False, server_default=text("false")),
    Column("portal_status", String(30)),
    Column("status_at", DateTime(timezone=True)),
    Column("deleted_at", DateTime(timezone=True)),
    Column("portal_status_at", DateTime(timezone=True)),
    Column("case_number_at", DateTime(timezone=True)),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Index("ix_records_organization", "organization_id"),
)

# A record's navigators (NOT-1). An unassignment keeps the row with ``assigned`` false, so that
# an older assignment arriving after it changes nothing.
navigators = Table(
    "navigators",
    metadata,
    Column("organization_id", Uuid, nullable=False),
    Column("record_id", Uuid, nullable=False),
    Column("user_id", Uuid, nullable=False),
    Column("assigned", Boolean, nullable=False, server_default=text("true")),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("record_id", "user_id", name="pk_navigators"),
    Index("ix_navigators_user", "organization_id", "user_id",
          postgresql_where=text("assigned")),
)

staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("email", String(320)),
    Column("name", String(400)),
    Column("role", String(100)),
    Column("active", Boolean, nullable=False),
    Column("allow_client_initiated_contact", Boolean, nullable=False,
           server_default=text("false")),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)


# --- in-app notifications and their delivery (NOT-1, NOT-2) -------------------------------

# One row per recipient of a notification; ``user_id`` is null for a notification about a record
# that had no navigator (undelivered: administrators list them,
# ``GET /staff/notifications/unassigned``). ``key`` names the event and the recipient, so an
# event applied twice (it cannot be: the inbox) would still make one row. ``delivery`` is how the
# recipient's preference had it delivered; ``digested_at`` when a digest e-mail took it.
notifications = Table(
    "notifications",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("organization_id", Uuid, nullable=False),
    Column("user_id", Uuid),
    Column("kind", String(40), nullable=False),
    Column("record_id", Uuid),
    Column("title", String(300), nullable=False),
    Column("delivery", String(10), nullable=False, server_default=text("'in_app'")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("read_at", DateTime(timezone=True)),
    Column("digested_at", DateTime(timezone=True)),
    CheckConstraint("delivery IN ('in_app', 'email', 'digest')",
                    name="ck_notifications_delivery"),
    # a recipient's list, newest first
    Index("ix_notifications_user", "organization_id", "user_id", "created_at", "id"),
    # the undelivered ones, by record (administrators' list)
    Index("ix_notifications_undelivered", "organization_id", "record_id",
          postgresql_where=text("user_id IS NULL")),
    # the oldest, deleted past the retention (CASEWORK_NOTIFICATION_RETENTION_DAYS)
    Index("ix_notifications_created", "created_at"),
    # what the daily digest still has to gather
    Index("ix_notifications_digest_due", "user_id", "created_at",
          postgresql_where=text("delivery = 'digest' AND digested_at IS NULL")),
)

# A staff member's choice per kind; a kind without a row has its default (domain.py).
notification_preferences = Table(
    "notification_preferences",
    metadata,
    Column("user_id", Uuid, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("organization_id", Uuid, nullable=False),
    Column("delivery", String(10), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("user_id", "kind", name="pk_notification_preferences"),
    CheckConstraint("delivery IN ('in_app', 'email', 'digest')",
                    name="ck_notification_preferences_delivery"),
)

# One row per person and local day a digest went out for: the claim that makes the digest
# once per person per day whatever the number of instances (and its e-mail's key).
digests = Table(
    "digests",
    metadata,
    Column("user_id", Uuid, nullable=False),
    Column("day", Date, nullable=False),
    Column("organization_id", Uuid, nullable=False),
    Column("notifications", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("user_id", "day", name="pk_digests"),
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
