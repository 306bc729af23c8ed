"""The scheduling service's tables (schema ``scheduling``)."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from casework.tables import add_messaging_tables

metadata = MetaData(schema="scheduling")
messaging = add_messaging_tables(metadata)

# Scheduling's own view of the records it may book (kept from records.events): SCH-4 refuses
# inactive clients without asking the records service on every booking.
clients = Table(
    "clients",
    metadata,
    Column("record_id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # deleted records (record_deleted) cannot be booked; restored ones can again
    Column("deleted", Boolean, nullable=False, server_default=text("false")),
    # when the last applied status event happened: an older one arriving late changes nothing
    Column("changed_at", DateTime(timezone=True)),
)

# The agency's staff users (identity.events): the active ones are its practitioners.
staff_users = Table(
    "staff_users",
    metadata,
    Column("user_id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("name", String(400)),
    Column("email", String(320)),
    Column("active", Boolean, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

# Navigators of records (records.events): who may book a client without schedule_any_client.
navigators = Table(
    "navigators",
    metadata,
    Column("record_id", Uuid, nullable=False),
    Column("user_id", Uuid, nullable=False),
    Column("organization_id", Uuid, nullable=False),
    PrimaryKeyConstraint("record_id", "user_id", name="pk_navigators"),
    Index("ix_navigators_org_user", "organization_id", "user_id"),
)

# The agency's time zone (identity.events organization_created / organization_updated).
organizations = Table(
    "organizations",
    metadata,
    Column("organization_id", Uuid, primary_key=True),
    Column("timezone", String(64), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

# Weekly availability (SCH-1) of a client record or a staff user, in the agency's local time:
# {"monday": [[540, 720]], ...}, minutes since local midnight; a day left out is unavailable.
availability = Table(
    "availability",
    metadata,
    Column("owner_kind", String(20), nullable=False),  # client | practitioner
    Column("owner_id", Uuid, nullable=False),
    Column("organization_id", Uuid, nullable=False),
    Column("weekly", JSONB, nullable=False),
    Column("updated_by", Uuid),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("owner_kind", "owner_id", name="pk_availability"),
    Index("ix_availability_org", "organization_id", "owner_kind"),
)

# Sessions and payments (SCH-2, SCH-5): the financial information that keeps a record from
# being deleted (REC-9). A cancelled session stays, with when and by whom.
sessions = Table(
    "sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("title", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("status", String(20), nullable=False, server_default="scheduled"),
    Column("series_id", Uuid),  # the first session of a weekly repeat
    Column("created_by", Uuid),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("cancelled_by", Uuid),
    Index("ix_sessions_org_starts", "organization_id", "starts_at"),
)

session_practitioners = Table(
    "session_practitioners",
    metadata,
    Column("session_id", Uuid, ForeignKey("scheduling.sessions.id", ondelete="CASCADE"),
           nullable=False),
    Column("user_id", Uuid, nullable=False),
    Column("organization_id", Uuid, nullable=False),
    # the session's times and state, kept here too: when a practitioner is booked is one index
    # range scan (slot suggestions, P4; practitioner_busy), without a join to sessions
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("scheduled", Boolean, nullable=False, server_default=text("true")),
    PrimaryKeyConstraint("session_id", "user_id", name="pk_session_practitioners"),
    Index("ix_session_practitioners_org_user", "organization_id", "user_id"),
    Index("ix_session_practitioners_booked", "organization_id", "user_id", "starts_at",
          postgresql_include=["ends_at"], postgresql_where=text("scheduled")),
)

session_clients = Table(
    "session_clients",
    metadata,
    Column("session_id", Uuid, ForeignKey("scheduling.sessions.id", ondelete="CASCADE"),
           nullable=False),
    Column("record_id", Uuid, nullable=False),
    Column("organization_id", Uuid, nullable=False),
    PrimaryKeyConstraint("session_id", "record_id", name="pk_session_clients"),
    Index("ix_session_clients_org_record", "organization_id", "record_id"),
)

payments = Table(
    "payments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("client_id", Uuid, nullable=False),
    Column("session_id", Uuid, ForeignKey("scheduling.sessions.id")),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("method", String(50)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("recorded_by", Uuid),
    # a deleted payment is kept, but no longer counts (REC-9) nor shows
    Column("deleted_at", DateTime(timezone=True)),
    Column("deleted_by", Uuid),
    Index("ix_payments_org_client", "organization_id", "client_id"),
)
