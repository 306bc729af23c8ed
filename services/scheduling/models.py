"""The scheduling service's tables (schema ``scheduling``)."""

from sqlalchemy import Column, DateTime, MetaData, String, Table, Uuid, func

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
