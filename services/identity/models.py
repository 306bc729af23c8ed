"""The identity service's tables (schema ``identity``). Migrations in ``migrations/`` define them;
a test fails if Alembic autogenerate finds any difference from these models."""

from sqlalchemy import (
    Boolean,
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
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from casework.tables import add_messaging_tables

metadata = MetaData(schema="identity")
messaging = add_messaging_tables(metadata)


def _timestamps():
    return (
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


# An agency and its settings (API.md "Staff: agency administration", settings).
organizations = Table(
    "organizations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("slug", String(63), nullable=False, unique=True),
    Column("timezone", String(64), nullable=False),
    Column("portal_enabled", Boolean, nullable=False, server_default=text("false")),
    Column("portal_features", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("disable_notifications_for_closed_records", Boolean, nullable=False,
           server_default=text("false")),
    Column("invitation_ttl_hours", Integer, nullable=False, server_default=text("72")),
    Column("sender_name", String(200)),
    Column("welcome_template", Text),
    *_timestamps(),
)

# ID-2: a role is a named set of permissions inside one agency. ``builtin`` marks the two roles
# every agency starts with; the administrator one can never lose agency_admin nor be deleted.
roles = Table(
    "roles",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("identity.organizations.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("permissions", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("builtin", String(20)),
    *_timestamps(),
    CheckConstraint("builtin IN ('administrator', 'staff')", name="ck_roles_builtin"),
)
# role names are unique in an agency regardless of case
Index("uq_roles_org_name", roles.c.organization_id, func.lower(roles.c.name), unique=True)

staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("identity.organizations.id"), nullable=False),
    Column("email", String(320), nullable=False),  # stored lower-cased: the login name
    Column("first_name", String(200), nullable=False),
    Column("last_name", String(200), nullable=False),
    Column("role_id", Uuid, ForeignKey("identity.roles.id"), nullable=False, index=True),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("allow_client_initiated_contact", Boolean, nullable=False,
           server_default=text("true")),
    Column("password_hash", String(200), nullable=False),
    *_timestamps(),
    UniqueConstraint("organization_id", "email", name="uq_staff_users_org_email"),
    Index("ix_staff_users_org_name", "organization_id", "last_name", "first_name"),
)

# ID-4: the record a client owns; ID-5: the account they log in with (one person, one account).
global_records = Table(
    "global_records",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("first_name", String(200), nullable=False),
    Column("last_name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("phones", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("preferred_contact_methods", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("version", Integer, nullable=False, server_default=text("1")),
    # the version at which each field last changed: what copies compare (ID-4, QUALITY F9)
    Column("field_versions", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    *_timestamps(),
)

# ID-4: which agency records are copies of a global record
global_record_links = Table(
    "global_record_links",
    metadata,
    Column("organization_id", Uuid, ForeignKey("identity.organizations.id"), nullable=False,
           primary_key=True),
    Column("record_id", Uuid, nullable=False, primary_key=True),
    Column("global_record_id", Uuid, ForeignKey("identity.global_records.id"), nullable=False,
           index=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

portal_accounts = Table(
    "portal_accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    # the e-mail at creation, lower-cased; never changes (ID-5)
    Column("username", String(320), nullable=False, unique=True),
    Column("global_record_id", Uuid, ForeignKey("identity.global_records.id"), nullable=False,
           unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    *_timestamps(),
)

# Bearer tokens, by the SHA-256 of the token only: the token itself is never stored (S3).
access_tokens = Table(
    "access_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("organization_id", Uuid),
    Column("user_id", Uuid, ForeignKey("identity.staff_users.id")),
    Column("account_id", Uuid, ForeignKey("identity.portal_accounts.id")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    CheckConstraint("kind IN ('staff', 'portal')", name="ck_access_tokens_kind"),
    Index("ix_access_tokens_user", "user_id", postgresql_where=text("revoked_at IS NULL")),
    Index("ix_access_tokens_account", "account_id", postgresql_where=text("revoked_at IS NULL")),
    Index("ix_access_tokens_expires", "expires_at"),
)

# Failed logins per account and per address, shared by every identity instance (ID-3, S2).
login_failures = Table(
    "login_failures",
    metadata,
    # 'pair' (account and address; key: a hash of both), 'account' or 'address' (domain.py)
    Column("scope", String(10), nullable=False, primary_key=True),
    Column("key", String(500), nullable=False, primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True)),
)

# Password reset links (a forgotten password): by the SHA-256 of the link's token only (S3),
# single use, expiring; a new request voids the account's earlier ones.
password_resets = Table(
    "password_resets",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("user_id", Uuid, ForeignKey("identity.staff_users.id")),
    Column("account_id", Uuid, ForeignKey("identity.portal_accounts.id")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Column("voided_at", DateTime(timezone=True)),
    CheckConstraint("kind IN ('staff', 'portal')", name="ck_password_resets_kind"),
    Index("ix_password_resets_user", "user_id", postgresql_where=text("used_at IS NULL")),
    Index("ix_password_resets_account", "account_id", postgresql_where=text("used_at IS NULL")),
)


# The addresses each account logged in from (domain.LoginKeys.known: a SHA-256 of the login name
# and the address, never the address itself): the account-wide soft limit never refuses them.
login_known_addresses = Table(
    "login_known_addresses",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("last_login_at", DateTime(timezone=True), nullable=False),
)
