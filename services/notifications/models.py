"""The notifications service's tables (schema ``notifications``)."""

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
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

NOTIFICATION_KINDS = ("record_assigned", "record_status_changed", "client_message",
                      "request_fulfilled", "session_booked")
DELIVERIES = ("in_app", "email", "digest")

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
