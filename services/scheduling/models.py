"""The scheduling service's tables (schema ``scheduling``)."""

from sqlalchemy import (
    BigInteger,
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
)

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
)

# Sessions and payments: the financial information that keeps a record from being deleted
# (REC-9). Minimal columns for now; the scheduling routes (SCH-2, SCH-5) flesh them out.
sessions = Table(
    "sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("title", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
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
    Index("ix_payments_org_client", "organization_id", "client_id"),
)
