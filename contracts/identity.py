"""The identity service's contract: its RPC requests and replies, list pages and events.

The gateway validates the HTTP bodies of the operator, authentication, administration and portal
profile routes with these classes and builds the OpenAPI document from them; the identity service
loads the same classes again (it trusts no caller) and dumps its replies with them."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, validate

from casework.events import declare

from .common import EventData, Strict, UtcDateTime, page_of, phone_key, unique_list

# ID-2 (services/identity/domain.py keeps the same names as its Permission enum; a unit test
# holds the two together)
PERMISSIONS = ("agency_admin", "case_numbers", "delete_clients", "client_account_invitations",
               "view_audit", "manage_groups", "schedule_any_client")
PORTAL_FEATURES = ("profile_editing", "availability", "sessions", "messages", "requests")
CONTACT_METHODS = ("email", "phone", "sms", "post", "portal")
PHONE_TYPES = ("mobile", "home", "work", "other")

PASSWORD_MIN_LENGTH = 12  # S2: at least 12 characters, no composition rules (NIST SP 800-63B)
PASSWORD_MAX_LENGTH = 1024  # long passphrases are welcome; this only bounds the work per login

NAME = validate.Length(min=1, max=200)
EMAIL = validate.Length(max=320)
NEW_PASSWORD = validate.Length(min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH,
                               error=f"{PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters")
ANY_PASSWORD = validate.Length(min=1, max=PASSWORD_MAX_LENGTH)
# the whole string ("$(?!\n)": Python's $ also matches before a final newline)
SLUG = validate.Regexp(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$(?!\n)",
                       error="1 to 63 lower-case letters, digits or '-', "
                             "not starting or ending with '-'")
PERMISSION = validate.OneOf(PERMISSIONS)
PORTAL_FEATURE = validate.OneOf(PORTAL_FEATURES)


# --- time zones ------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    """The IANA time zones of the tz database this process has (what ``zoneinfo`` opens)."""
    return frozenset(available_timezones())


class TimeZone(validate.Validator):
    """An IANA time zone name, checked against the tz database. The document describes the rule
    instead of listing the ~600 names: such an enum would differ with each machine's tz database,
    and its values ``GMT0``, ``GMT+0`` and ``GMT-0`` (or ``Etc/GMT+1`` and ``Etc/GMT-1``) become
    the same identifier in generated clients (openapi-python-client refuses the document)."""

    error = "an IANA time zone such as Europe/London"

    def __call__(self, value: str) -> str:
        if value not in time_zones():
            raise ValidationError(self.error)
        return value


TIMEZONE_DESCRIPTION = ("An IANA time zone name from the tz database, case-sensitive: e.g. "
                        "Europe/London, America/New_York or UTC. Any other name is refused with "
                        "422 validation_error.")


def timezone_field(**kwargs) -> fields.String:
    return fields.String(validate=[validate.Length(min=1, max=64), TimeZone()], metadata={
        "description": TIMEZONE_DESCRIPTION, "example": "Europe/London"}, **kwargs)


# --- operator: agencies ----------------------------------------------------------------------

class AdminCreateSchema(Strict):
    email = fields.Email(required=True, validate=EMAIL)
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)
    password = fields.String(required=True, validate=NEW_PASSWORD, load_only=True)


class OrganizationCreateSchema(Strict):
    name = fields.String(required=True, validate=NAME)
    slug = fields.String(required=True, validate=SLUG)
    timezone = timezone_field(load_default="UTC")
    admin = fields.Nested(AdminCreateSchema, required=True)


class OrganizationCreatedSchema(Schema):
    id = fields.UUID(required=True)
    slug = fields.String(required=True)
    admin_user_id = fields.UUID(required=True)


class AgencyAdministratorSchema(Schema):
    """RPC reply of ``agency_administrator`` (operator only): the agency of a slug and its first
    active administrator, whom the operator's commands act as (``casework import records``)."""

    organization_id = fields.UUID(required=True)
    user_id = fields.UUID(required=True)
    name = fields.String(required=True)


# --- authentication --------------------------------------------------------------------------

class StaffLoginSchema(Strict):
    organization = fields.String(required=True, validate=validate.Length(min=1, max=63),
                                 metadata={"description": "the agency's slug"})
    email = fields.String(required=True, validate=validate.Length(min=1, max=320))
    password = fields.String(required=True, validate=ANY_PASSWORD, load_only=True)


class PortalLoginSchema(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=320))
    password = fields.String(required=True, validate=ANY_PASSWORD, load_only=True)


class PasswordChangeSchema(Strict):
    current_password = fields.String(required=True, validate=ANY_PASSWORD, load_only=True)
    new_password = fields.String(required=True, validate=NEW_PASSWORD, load_only=True)


class PasswordResetRequestSchema(Strict):
    email = fields.String(required=True, validate=validate.Length(min=1, max=320),
                          metadata={"description": "the login name: a staff user's e-mail, or "
                                                   "a client's portal username"})
    organization = fields.String(load_default=None, validate=validate.Length(min=1, max=63),
                                 metadata={"description": "the agency's slug, for a staff "
                                                          "user; omitted for a client"})


class PasswordResetSchema(Strict):
    password = fields.String(required=True, validate=NEW_PASSWORD, load_only=True)


class StaffUserSchema(Schema):
    id = fields.UUID(required=True)
    organization_id = fields.UUID(required=True)
    email = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    name = fields.String(required=True)
    role_id = fields.UUID(required=True)
    role_name = fields.String(required=True)
    permissions = fields.List(fields.String(validate=PERMISSION), required=True)
    active = fields.Boolean(required=True)
    allow_client_initiated_contact = fields.Boolean(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, validate=validate.Equal("Bearer"))
    expires_at = UtcDateTime(required=True)


class StaffTokenSchema(TokenSchema):
    user = fields.Nested(StaffUserSchema, required=True)


class TokenCallerSchema(Schema):
    """``authenticate``'s reply (RPC only): who a live token stands for, and until when the
    gateway may trust that answer (a staff caller has the first three ids, a portal caller the
    account and global record)."""

    kind = fields.String(required=True, validate=validate.OneOf(("staff", "portal")))
    organization_id = fields.UUID()
    user_id = fields.UUID()
    permissions = fields.List(fields.String())
    account_id = fields.UUID()
    global_record_id = fields.UUID()
    expires_at = UtcDateTime(required=True)


# --- agency administration: staff users ------------------------------------------------------

class StaffUserCreateSchema(Strict):
    email = fields.Email(required=True, validate=EMAIL)
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)
    role_id = fields.UUID(load_default=None, allow_none=True,
                          metadata={"description": "default: the agency's Staff role"})
    password = fields.String(required=True, validate=NEW_PASSWORD, load_only=True)
    active = fields.Boolean(load_default=True)
    allow_client_initiated_contact = fields.Boolean(load_default=True)


class StaffUserUpdateSchema(Strict):
    email = fields.Email(validate=EMAIL)
    first_name = fields.String(validate=NAME)
    last_name = fields.String(validate=NAME)
    role_id = fields.UUID()
    active = fields.Boolean(metadata={"description": "false revokes the user's tokens"})
    allow_client_initiated_contact = fields.Boolean()
    password = fields.String(validate=NEW_PASSWORD, load_only=True,
                             metadata={"description": "a new password; revokes the user's tokens"})


class MeUpdateSchema(Strict):
    first_name = fields.String(validate=NAME)
    last_name = fields.String(validate=NAME)
    allow_client_initiated_contact = fields.Boolean()


StaffUserPageSchema = page_of(StaffUserSchema)


# --- agency administration: roles ------------------------------------------------------------

class RoleSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    permissions = fields.List(fields.String(validate=PERMISSION), required=True)
    builtin = fields.Boolean(required=True)
    users = fields.Integer(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class RoleCreateSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    permissions = unique_list(fields.String(validate=PERMISSION), what="permission",
                              load_default=list)


class RoleUpdateSchema(Strict):
    name = fields.String(validate=validate.Length(min=1, max=100))
    permissions = unique_list(fields.String(validate=PERMISSION), what="permission")


RolePageSchema = page_of(RoleSchema)


# --- agency administration: settings ---------------------------------------------------------

class SettingsSchema(Schema):
    name = fields.String(required=True)
    slug = fields.String(required=True)
    portal_enabled = fields.Boolean(required=True)
    portal_features = fields.List(fields.String(validate=PORTAL_FEATURE), required=True)
    disable_notifications_for_closed_records = fields.Boolean(required=True)
    invitation_ttl_hours = fields.Integer(required=True)
    timezone = fields.String(required=True)
    sender_name = fields.String(allow_none=True, required=True)
    welcome_template = fields.String(allow_none=True, required=True)


class SettingsUpdateSchema(Strict):
    portal_enabled = fields.Boolean()
    portal_features = unique_list(fields.String(validate=PORTAL_FEATURE), what="portal feature")
    disable_notifications_for_closed_records = fields.Boolean()
    invitation_ttl_hours = fields.Integer(validate=validate.Range(min=1, max=24 * 30))
    timezone = timezone_field()
    sender_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    welcome_template = fields.String(allow_none=True, validate=validate.Length(max=20000))


# --- portal accounts and global records (ID-4, ID-5) -----------------------------------------

class GlobalRecordPhoneSchema(Strict):
    type = fields.String(load_default="mobile", validate=validate.OneOf(PHONE_TYPES))
    number = fields.String(required=True, validate=validate.Regexp(
        r"^\+?[0-9 ()\-.]{3,30}$(?!\n)", error="a phone number of digits, spaces and ()-."))


class PortalAccountCreateSchema(Strict):
    """``create_portal_account`` (RPC only: the invitations service makes accounts, INV-4)."""

    email = fields.Email(required=True, validate=EMAIL)
    password = fields.String(required=True, validate=NEW_PASSWORD, load_only=True)
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)
    phones = unique_list(fields.Nested(GlobalRecordPhoneSchema), key=phone_key,
                         what="phone number", load_default=list,
                         validate=validate.Length(max=10))
    preferred_contact_methods = unique_list(
        fields.String(validate=validate.OneOf(CONTACT_METHODS)), what="contact method",
        load_default=list)


class GlobalRecordSchema(Schema):
    id = fields.UUID(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(required=True)
    phones = fields.List(fields.Nested(GlobalRecordPhoneSchema), required=True)
    preferred_contact_methods = fields.List(
        fields.String(validate=validate.OneOf(CONTACT_METHODS)), required=True)
    version = fields.Integer(required=True)
    updated_at = UtcDateTime(required=True)


class PortalRecordLinkSchema(Schema):
    """One agency record of the client (ID-6): its agency, portal status and the features that
    agency gives its clients (``portal_status`` comes from records; null until records knows
    the link)."""

    record_id = fields.UUID(required=True)
    organization_id = fields.UUID(required=True)
    organization_name = fields.String(required=True)
    portal_status = fields.String(allow_none=True, load_default=None,
                                  validate=validate.OneOf(("enrollment_pending", "active",
                                                           "banned")))
    features = fields.List(fields.String(validate=PORTAL_FEATURE), required=True)


class PortalProfileSchema(Schema):
    account_id = fields.UUID(required=True)
    username = fields.String(required=True)
    global_record = fields.Nested(GlobalRecordSchema, required=True)
    records = fields.List(fields.Nested(PortalRecordLinkSchema), load_default=list)


class GlobalRecordUpdateSchema(Strict):
    """``PATCH /portal/me``: the global record's fields, flat (ID-4). The username never changes
    (ID-5); the e-mail may."""

    first_name = fields.String(validate=NAME)
    last_name = fields.String(validate=NAME)
    email = fields.Email(validate=EMAIL)
    phones = unique_list(fields.Nested(GlobalRecordPhoneSchema), key=phone_key,
                         what="phone number", validate=validate.Length(max=10))
    preferred_contact_methods = unique_list(
        fields.String(validate=validate.OneOf(CONTACT_METHODS)), what="contact method")


class PortalAccountClaimSchema(Strict):
    """``claim_portal_account`` (RPC only, for invitations: INV-4, INV-5): make the account and
    global record for ``email``, or, when that username has an account, prove it with the
    account's password; then link the agency record when one is named. Never a second account."""

    email = fields.Email(required=True, validate=EMAIL)
    password = fields.String(required=True, validate=ANY_PASSWORD, load_only=True)
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)
    phones = unique_list(fields.Nested(GlobalRecordPhoneSchema), key=phone_key,
                         what="phone number", load_default=list,
                         validate=validate.Length(max=10))
    preferred_contact_methods = unique_list(
        fields.String(validate=validate.OneOf(CONTACT_METHODS)), what="contact method",
        load_default=list)
    organization_id = fields.UUID(load_default=None, allow_none=True)
    record_id = fields.UUID(load_default=None, allow_none=True)


class PortalAccountClaimedSchema(Schema):
    account_id = fields.UUID(required=True)
    global_record_id = fields.UUID(required=True)
    username = fields.String(required=True)
    created = fields.Boolean(required=True)


class GlobalRecordLinkSchema(Strict):
    """``link_global_record`` (RPC only): the agency record ``record_id`` of ``organization_id``
    is this global record's (ID-4)."""

    global_record_id = fields.UUID(required=True)
    organization_id = fields.UUID(required=True)
    record_id = fields.UUID(required=True)


class OrganizationPortalSchema(Schema):
    """``organization_portal`` (RPC only): what invitations and records need of an agency's
    portal settings."""

    organization_id = fields.UUID(required=True)
    name = fields.String(required=True)
    portal_enabled = fields.Boolean(required=True)
    portal_features = fields.List(fields.String(validate=PORTAL_FEATURE), required=True)
    invitation_ttl_hours = fields.Integer(required=True)


# --- events (identity.events) ----------------------------------------------------------------

class OrganizationCreatedData(EventData):
    organization_id = fields.UUID(required=True)
    name = fields.String(required=True)
    slug = fields.String(required=True)
    # the agency's IANA time zone, in which scheduling keeps availability (SCH-1); events
    # published before it was added carry none (UTC)
    timezone = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=64))


class OrganizationUpdatedData(EventData):
    """An administrator changed the agency's name or time zone (its settings)."""

    organization_id = fields.UUID(required=True)
    name = fields.String(required=True)
    slug = fields.String(required=True)
    timezone = fields.String(required=True, validate=validate.Length(min=1, max=64))


class StaffUserData(EventData):
    """Who is staff of which agency, for the services that keep their own copy."""

    user_id = fields.UUID(required=True)
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320))
    first_name = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(max=200))
    last_name = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=200))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=400))
    active = fields.Boolean(required=True)
    allow_client_initiated_contact = fields.Boolean(load_default=False)
    role = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100),
                         metadata={"description": "the name of the user's role"})


class PortalAccountSchema(EventData):
    """The account made: ``create_portal_account``'s reply and ``portal_account_created``'s
    data."""

    account_id = fields.UUID(required=True)
    global_record_id = fields.UUID(required=True)
    username = fields.String(required=True)


GLOBAL_RECORD_FIELDS = ("first_name", "last_name", "email", "phones",
                        "preferred_contact_methods")


class LinkedRecordData(EventData):
    organization_id = fields.UUID(required=True)
    record_id = fields.UUID(required=True)


class GlobalRecordPhoneData(EventData):
    type = fields.String(validate=validate.OneOf(PHONE_TYPES))
    number = fields.String(required=True, validate=validate.Length(min=1, max=40))


class GlobalRecordChangesData(EventData):
    first_name = fields.String(validate=NAME)
    last_name = fields.String(validate=NAME)
    email = fields.String(validate=EMAIL)
    phones = fields.List(fields.Nested(GlobalRecordPhoneData))
    preferred_contact_methods = fields.List(fields.String())


class GlobalRecordFieldVersionsData(EventData):
    """For each changed field, the version of the global record at which it last changed."""

    first_name = fields.Integer(validate=validate.Range(min=1))
    last_name = fields.Integer(validate=validate.Range(min=1))
    email = fields.Integer(validate=validate.Range(min=1))
    phones = fields.Integer(validate=validate.Range(min=1))
    preferred_contact_methods = fields.Integer(validate=validate.Range(min=1))


class GlobalRecordUpdatedData(EventData):
    """ID-4: what changed on a global record, for every linked agency record. ``changes`` holds
    the changed fields' new values; ``field_versions`` the global record's version at which each
    of those fields last changed: a copy takes a field only from a higher version than it has,
    so duplicate and out-of-order deliveries end at the latest value (QUALITY F9)."""

    global_record_id = fields.UUID(required=True)
    version = fields.Integer(required=True)
    changes = fields.Nested(GlobalRecordChangesData, required=True)
    field_versions = fields.Nested(GlobalRecordFieldVersionsData, required=True)
    linked_records = fields.List(fields.Nested(LinkedRecordData), required=True)


class OrganizationMailSettingsData(EventData):
    """An administrator changed what the agency's e-mail says (its sender name or its own
    welcome text) or whether it notifies about closed and inactive records: notifications keeps
    a copy (NOT-2, NOT-3, NOT-4). Each event carries all three as they now are."""

    organization_id = fields.UUID(required=True)
    name = fields.String(required=True)
    sender_name = fields.String(required=True, allow_none=True, validate=validate.Length(max=200))
    welcome_template = fields.String(required=True, allow_none=True,
                                     validate=validate.Length(max=20000))
    # NOT-2; events published before it was added carry none (the copy keeps what it had)
    disable_notifications_for_closed_records = fields.Boolean(load_default=None,
                                                              allow_none=True)


class PortalAccountCreatedData(PortalAccountSchema):
    """``portal_account_created``: the account made, with what its welcome e-mail needs
    (notifications; NOT-4: only an active account is welcomed). Every emit must give
    ``first_name`` and ``active``."""

    first_name = fields.String(required=True, validate=validate.Length(max=200))
    active = fields.Boolean(required=True)


declare("identity", "organization_created", OrganizationCreatedData())
declare("identity", "organization_updated", OrganizationUpdatedData())
declare("identity", "organization_mail_settings_updated", OrganizationMailSettingsData())
declare("identity", "staff_user_created", StaffUserData())
declare("identity", "staff_user_updated", StaffUserData())
declare("identity", "portal_account_created", PortalAccountCreatedData())
declare("identity", "global_record_updated", GlobalRecordUpdatedData())
