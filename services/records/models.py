"""The records service's tables (schema ``records``). Migrations in ``migrations/`` define them;
a test fails if Alembic autogenerate finds any difference from these models."""

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from casework.tables import add_messaging_tables

metadata = MetaData(schema="records")
messaging = add_messaging_tables(metadata)

records = Table(
    "records",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("first_name", String(200), nullable=False),
    Column("last_name", String(200), nullable=False),
    Column("email", String(320)),
    Column("phones", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("preferred_contact_methods", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("date_of_birth", Date),
    Column("case_number", String(50), nullable=False),
    Column("client_type_id", Uuid),
    Column("status", String(20), nullable=False),
    Column("portal_status", String(30)),
    Column("custom_fields", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    # lower-cased name, e-mail, case number and phone digits: what global search matches on
    Column("search_text", Text, nullable=False),
    Column("created_by", Uuid),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("deleted_at", DateTime(timezone=True)),
    UniqueConstraint("organization_id", "case_number", name="uq_records_org_case_number"),
    Index("ix_records_org_created", "organization_id", "created_at"),
    Index(
        "ix_records_search_trgm", "search_text",
        postgresql_using="gin", postgresql_ops={"search_text": "gin_trgm_ops"},
    ),
)

case_number_counters = Table(
    "case_number_counters",
    metadata,
    Column("organization_id", Uuid, primary_key=True),
    Column("last_value", BigInteger, nullable=False),
)

status_history = Table(
    "status_history",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("record_id", Uuid, ForeignKey("records.records.id"), nullable=False, index=True),
    Column("organization_id", Uuid, nullable=False),
    Column("old_status", String(20)),
    Column("new_status", String(20), nullable=False),
    Column("changed_by", Uuid),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("organization_id", Uuid, nullable=False),
    Column("record_id", Uuid, nullable=False),
    Column("actor_id", Uuid),
    Column("action", String(50), nullable=False),
    Column("changes", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("request_id", String(200)),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_audit_record_at", "organization_id", "record_id", "at"),
)
