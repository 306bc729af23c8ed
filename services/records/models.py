"""The records service's tables (schema ``records``). Migrations in ``migrations/`` define them;
a test fails if Alembic autogenerate finds any difference from these models."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from casework.tables import add_messaging_tables

metadata = MetaData(schema="records")
messaging = add_messaging_tables(metadata)

LIVE = text("deleted_at IS NULL")

CASE_NUMBER_CONSTRAINT = "uq_records_org_case_number"

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
    # NULL while the record has no client (portal) account (REC-1, REC-6)
    Column("portal_status", String(30)),
    Column("custom_fields", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    # lower-cased name, e-mail, case number and phone digits: what substring search matches on
    Column("search_text", Text, nullable=False),
    # lower-cased "first last": what misspelt-name search ranks by; its words are indexed in
    # name_words and record_name_words by a trigger (migration records_0005)
    Column("name_text", Text, nullable=False),
    # lower-cased "last first" in byte order: prefix search for one- and two-letter queries
    Column("sort_name", Text(collation="C"), nullable=False),
    Column("invitation_sent_at", DateTime(timezone=True)),
    Column("invitation_email", String(320)),
    # ID-4: the client's global record this record is a copy of, and the global record's
    # version of each field this copy last took (a field is taken only from a higher version)
    Column("global_record_id", Uuid),
    Column("global_versions", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("created_by", Uuid),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("deleted_at", DateTime(timezone=True)),
    Column("deleted_by", Uuid),
    # the row key of a record made by the CSV import: a re-run finds it (migration records_0010)
    Column("import_key", String(64)),
    # one agency's case numbers are unique whatever their letter case, deleted records
    # included (a restored record gets its own back): migration records_0008
    Index(CASE_NUMBER_CONSTRAINT, "organization_id", func.lower(text("case_number")),
          unique=True),
    Index("ix_records_org_created", "organization_id", "created_at", "id", postgresql_where=LIVE),
    Index("ix_records_global_record", "global_record_id",
          postgresql_where=text("global_record_id IS NOT NULL")),
    Index("ix_records_org_sort_name", "organization_id", "sort_name", "id",
          postgresql_where=LIVE),
    Index("uq_records_org_import_key", "organization_id", "import_key", unique=True,
          postgresql_where=text("import_key IS NOT NULL")),
    Index("ix_records_org_birth", "organization_id", "date_of_birth",
          postgresql_where=text("date_of_birth IS NOT NULL")),
    # the duplicate matcher's same e-mail, in any case, and same phone key (records_0013)
    Index("ix_records_org_email", "organization_id", func.lower(text("email")),
          postgresql_where=text("deleted_at IS NULL AND email IS NOT NULL")),
    Index("ix_records_org_phone_keys", "organization_id",
          func.records.phone_keys(text("phones")), postgresql_using="gin",
          postgresql_where=LIVE),
    # each live record's name words as an array (migration records_0014): a misspelt search of
    # several words intersects their records inside this GIN index (search.py)
    Index("ix_records_name_word_array", func.records.name_word_array(text("name_text")),
          postgresql_using="gin", postgresql_where=LIVE),
    # (agency, trigram) GIN index (btree_gin): an agency's search never rechecks another
    # agency's candidates (search.py says why and what was measured) ...
    Index("ix_records_search_trgm", "organization_id", "search_text", postgresql_using="gin",
          postgresql_ops={"search_text": "gin_trgm_ops"}, postgresql_where=LIVE),
    # ... and the trigrams alone, for an agency that is most of the table (migration
    # records_0005 has the figures); the planner picks by the agency's share of the rows
    Index("ix_records_search_text_trgm", "search_text", postgresql_using="gin",
          postgresql_ops={"search_text": "gin_trgm_ops"}, postgresql_where=LIVE),
)

# Each agency's distinct name words, and which records carry each: a misspelt name is matched
# against the words (thousands), not against the records (up to millions). Written only by the
# trigger on records.name_text (migration records_0005); search.py reads them.
name_words = Table(
    "name_words",
    metadata,
    Column("organization_id", Uuid, nullable=False),
    Column("word", Text, nullable=False),
    PrimaryKeyConstraint("organization_id", "word", name="pk_name_words"),
    Index("ix_name_words_trgm", "organization_id", "word", postgresql_using="gin",
          postgresql_ops={"word": "gin_trgm_ops"}),
)

record_name_words = Table(
    "record_name_words",
    metadata,
    Column("organization_id", Uuid, nullable=False),
    Column("word", Text, nullable=False),
    Column("record_id", Uuid, ForeignKey("records.records.id", ondelete="CASCADE"),
           nullable=False, index=True),
    PrimaryKeyConstraint("organization_id", "word", "record_id", name="pk_record_name_words"),
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
    # internal order only; clients see public_id, which counts nothing (migration records_0009)
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("public_id", Uuid, nullable=False, server_default=text("gen_random_uuid()")),
    Column("record_id", Uuid, ForeignKey("records.records.id"), nullable=False),
    Column("organization_id", Uuid, nullable=False),
    Column("old_status", String(20)),
    Column("new_status", String(20), nullable=False),
    Column("changed_by", Uuid),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # a record's history, newest first, paged by (changed_at, public_id)
    Index("ix_status_history_record_page", "record_id", "changed_at", "public_id"),
)

# append-only: a trigger (migration records_0002) refuses UPDATE, DELETE and TRUNCATE
audit_entries = Table(
    "audit_entries",
    metadata,
    # internal order only: one sequence for the whole platform, so clients see public_id, which
    # counts nothing across agencies (issue 19; migration records_0009)
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("public_id", Uuid, nullable=False, server_default=text("gen_random_uuid()")),
    Column("organization_id", Uuid, nullable=False),
    # null for a search, which reads many records (their ids in ``record_ids``), and for what
    # happens to a contact (``contact_id``) rather than to a record (migration records_0011)
    Column("record_id", Uuid),
    Column("record_ids", ARRAY(Uuid)),
    Column("contact_id", Uuid),
    Column("actor_id", Uuid),
    Column("action", String(50), nullable=False),
    Column("changes", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("request_id", String(200)),
    # the RPC call of an audited read: a redelivered read runs again and adds no second row
    Column("call_id", String(100)),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # a record's trail, newest first, paged by (at, public_id); the agency's trail by time and
    # by actor; searches by the records they returned (only their rows carry record_ids)
    Index("ix_audit_record_page", "organization_id", "record_id", "at", "public_id"),
    Index("ix_audit_org_at", "organization_id", "at"),
    Index("ix_audit_org_actor_at", "organization_id", "actor_id", "at"),
    Index("ix_audit_record_ids", "record_ids", postgresql_using="gin",
          postgresql_where=text("record_ids IS NOT NULL")),
    Index("uq_audit_call_id", "call_id", unique=True,
          postgresql_where=text("call_id IS NOT NULL")),
)


def _catalogue(name: str, *extra: Column) -> Table:
    """An agency's list of named things (client types, warning indicators)."""
    return Table(
        name,
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("organization_id", Uuid, nullable=False),
        Column("name", String(100), nullable=False),
        *extra,
        Column("active", Boolean, nullable=False, server_default=text("true")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        UniqueConstraint("organization_id", "name", name=f"uq_{name}_org_name"),
    )


client_types = _catalogue("client_types")
warning_indicators = _catalogue(
    "warning_indicators", Column("description", Text), Column("colour", String(7)))

record_warning_indicators = Table(
    "record_warning_indicators",
    metadata,
    Column("record_id", Uuid, ForeignKey("records.records.id"), nullable=False),
    Column("indicator_id", Uuid, ForeignKey("records.warning_indicators.id"), nullable=False,
           index=True),
    Column("organization_id", Uuid, nullable=False),
    PrimaryKeyConstraint("record_id", "indicator_id", name="pk_record_warning_indicators"),
)

groups = Table(
    "groups",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("name", String(100), nullable=False),
    Column("description", Text),
    Column("created_by", Uuid),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("organization_id", "name", name="uq_groups_org_name"),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", Uuid, ForeignKey("records.groups.id", ondelete="CASCADE"),
           nullable=False),
    Column("record_id", Uuid, ForeignKey("records.records.id"), nullable=False, index=True),
    Column("organization_id", Uuid, nullable=False),
    Column("added_by", Uuid),
    Column("added_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("group_id", "record_id", name="pk_group_members"),
)

# The agency's staff users as identity announces them (identity.events staff_user_created and
# staff_user_updated): navigators are checked against this copy, never by asking identity.
staff_users = Table(
    "staff_users",
    metadata,
    Column("user_id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("email", String(320)),
    Column("first_name", String(200)),
    Column("last_name", String(200)),
    Column("name", String(400), nullable=False),
    Column("role", String(100)),  # the name of the user's role (audit trail, status history)
    Column("active", Boolean, nullable=False),
    Column("allow_client_initiated_contact", Boolean, nullable=False),
    # when identity made the change we hold: an older event arriving late is ignored
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

record_navigators = Table(
    "record_navigators",
    metadata,
    Column("record_id", Uuid, ForeignKey("records.records.id"), nullable=False),
    Column("user_id", Uuid, ForeignKey("records.staff_users.user_id"), nullable=False,
           index=True),
    Column("organization_id", Uuid, nullable=False),
    Column("assigned_by", Uuid),
    Column("assigned_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("record_id", "user_id", name="pk_record_navigators"),
)

record_images = Table(
    "record_images",
    metadata,
    Column("record_id", Uuid, ForeignKey("records.records.id"), primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("content_type", String(50), nullable=False),
    Column("byte_size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("uploaded_by", Uuid),
    Column("uploaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

record_notes = Table(
    "record_notes",
    metadata,
    Column("record_id", Uuid, ForeignKey("records.records.id"), primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("body", Text, nullable=False),
    Column("updated_by", Uuid),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

contacts = Table(
    "contacts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("first_name", String(200)),
    Column("last_name", String(200)),
    Column("organisation_name", String(200)),
    Column("email", String(320)),
    Column("phones", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("address", JSONB),
    Column("search_text", Text, nullable=False),
    Column("created_by", Uuid),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_contacts_org_created", "organization_id", "created_at", "id"),
    Index("ix_contacts_search_trgm", "organization_id", "search_text", postgresql_using="gin",
          postgresql_ops={"search_text": "gin_trgm_ops"}),
)

record_contacts = Table(
    "record_contacts",
    metadata,
    Column("record_id", Uuid, ForeignKey("records.records.id"), nullable=False),
    Column("contact_id", Uuid, ForeignKey("records.contacts.id"), nullable=False, index=True),
    Column("organization_id", Uuid, nullable=False),
    Column("contact_types", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("relationship", String(100), nullable=False),
    Column("organisation_reference", String(200)),
    Column("connection_role", String(100)),
    Column("created_by", Uuid),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("record_id", "contact_id", name="pk_record_contacts"),
)


# --- requests to clients and what fulfils them (REQ-1 to REQ-3; migration records_0012) -----

# The agency's assessments; staff ask clients only for those marked requestable (REQ-1).
assessments = Table(
    "assessments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("name", String(200), nullable=False),
    Column("questions", JSONB, nullable=False),  # [{id, text, kind, choices}]
    Column("requestable", Boolean, nullable=False, server_default=text("true")),
    Column("created_by", Uuid),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_assessments_org_created", "organization_id", "created_at", "id"),
)

# One request to a client through the portal; what fulfilled it stays on it (answers, location)
# or points to it (the document, the ROI). ``bulk_key``: the key of the mass send that made it,
# unique per record, so that a resumed mass send makes nothing twice (records.create_requests).
client_requests = Table(
    "client_requests",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("record_id", Uuid, ForeignKey("records.records.id"), nullable=False),
    Column("type", String(20), nullable=False),
    Column("status", String(20), nullable=False, server_default=text("'requested'")),
    Column("title", String(300), nullable=False),
    Column("private", Boolean, nullable=False, server_default=text("false")),
    Column("assessment_id", Uuid, ForeignKey("records.assessments.id")),
    Column("document_category", String(50)),
    Column("document_name", String(200)),
    Column("requested_by", Uuid),
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("bulk_key", String(200)),
    Column("fulfilled_at", DateTime(timezone=True)),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("answers", JSONB),
    Column("location", JSONB),
    Column("document_id", Uuid),
    Column("roi_id", Uuid),
    # a record's requests, newest first
    Index("ix_client_requests_record", "record_id", "requested_at", "id"),
    Index("uq_client_requests_bulk_key", "organization_id", "bulk_key", "record_id",
          unique=True, postgresql_where=text("bulk_key IS NOT NULL")),
)

client_documents = Table(
    "client_documents",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("record_id", Uuid, ForeignKey("records.records.id"), nullable=False),
    Column("request_id", Uuid, ForeignKey("records.client_requests.id")),
    Column("category", String(50), nullable=False),
    Column("name", String(200), nullable=False),
    Column("content_type", String(50), nullable=False),
    Column("byte_size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("private", Boolean, nullable=False, server_default=text("false")),
    Column("uploaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_client_documents_record", "record_id", "uploaded_at", "id"),
)

# Releases of information the client signed (REQ-2: an active one that does not expire within
# 7 days refuses a new ROI request).
client_rois = Table(
    "client_rois",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("record_id", Uuid, ForeignKey("records.records.id"), nullable=False),
    Column("request_id", Uuid, ForeignKey("records.client_requests.id")),
    Column("starts_on", Date, nullable=False),
    Column("expires_on", Date, nullable=False),
    Column("signed_name", String(200), nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_client_rois_record", "record_id", "expires_on"),
)
