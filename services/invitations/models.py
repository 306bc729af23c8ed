"""The invitations service's tables (schema ``invitations``). Migrations in ``migrations/``
define them; a test fails if Alembic autogenerate finds any difference from these models.

Links are kept by the SHA-256 of their token only: the token itself is in the e-mail and
nowhere else (QUALITY S3)."""

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
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from casework.tables import add_messaging_tables

metadata = MetaData(schema="invitations")
messaging = add_messaging_tables(metadata)

# INV-1 to INV-4: one row per invitation of a record; a resend gives it a new token (the old
# one's hash is gone, so its link is dead) and a new invitation of the record supersedes it
invitations = Table(
    "invitations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("record_id", Uuid, nullable=False),
    Column("organization_name", String(200), nullable=False),
    Column("email", String(320), nullable=False),  # the original address: resends go there
    Column("first_name", String(200), nullable=False),
    Column("last_name", String(200), nullable=False),
    Column("phones", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("preferred_contact_methods", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("token_hash", String(64), unique=True),  # NULL once accepted or superseded
    Column("sends", Integer, nullable=False, server_default=text("1")),
    Column("status", String(20), nullable=False, server_default=text("'pending'")),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("accepted_at", DateTime(timezone=True)),
    Column("account_id", Uuid),
    Column("global_record_id", Uuid),
    Column("created_by", Uuid),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("status IN ('pending', 'accepted', 'superseded')",
                    name="ck_invitations_status"),
    Index("ix_invitations_org_record", "organization_id", "record_id", "created_at"),
)

# INV-5: an agency's global invitation link; each has its own slug, so a disabled one stays dead
invitation_links = Table(
    "invitation_links",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False, index=True),
    Column("organization_name", String(200), nullable=False),
    Column("slug", String(64), nullable=False, unique=True),
    Column("created_by", Uuid),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("disabled_at", DateTime(timezone=True)),
)

# INV-5, INV-6: someone who followed the link, waiting for staff to accept or reject them
enrollment_requests = Table(
    "enrollment_requests",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, nullable=False),
    Column("link_id", Uuid, ForeignKey("invitations.invitation_links.id"), nullable=False),
    Column("global_record_id", Uuid, nullable=False),
    Column("account_id", Uuid, nullable=False),
    Column("first_name", String(200), nullable=False),
    Column("last_name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("phones", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("status", String(20), nullable=False, server_default=text("'pending'")),
    Column("record_id", Uuid),
    Column("decided_by", Uuid),
    Column("decided_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("status IN ('pending', 'accepted', 'rejected')",
                    name="ck_enrollment_requests_status"),
    Index("ix_enrollment_requests_org_status", "organization_id", "status", "created_at", "id"),
    # one pending request per person and agency: joining twice does not double it
    Index("uq_enrollment_requests_pending", "organization_id", "global_record_id", unique=True,
          postgresql_where=text("status = 'pending'")),
)
