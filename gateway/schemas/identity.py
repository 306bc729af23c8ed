"""HTTP schemas of the operator, authentication, agency administration and portal profile routes
(API.md "Operator", "Authentication", "Staff: agency administration").

The identity service validates again with its own RPC schemas: no service trusts its callers."""

from zoneinfo import available_timezones

from marshmallow import RAISE, Schema, fields, validate

PERMISSIONS = ("agency_admin", "case_numbers", "delete_clients", "client_account_invitations",
               "view_audit", "manage_groups", "schedule_any_client")
PORTAL_FEATURES = ("profile_editing", "availability", "sessions", "messages", "requests")

NAME = validate.Length(min=1, max=200)
EMAIL = validate.Length(max=320)
# S2: at least 12 characters, long ones allowed
NEW_PASSWORD = validate.Length(min=12, max=1024, error="12 to 1024 characters")
# the IANA time zones this machine knows, which identity's check (zoneinfo) accepts
TIMEZONES = tuple(sorted(available_timezones()))
TIMEZONE = validate.OneOf(TIMEZONES, error="an IANA time zone such as Europe/London")
SLUG = validate.Regexp(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
                       error="1 to 63 lower-case letters, digits or '-', "
                             "not starting or ending with '-'")


class Strict(Schema):
    class Meta:
        unknown = RAISE


class AdminCreateSchema(Strict):
    email = fields.Email(required=True, validate=EMAIL)
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)
    password = fields.String(required=True, validate=NEW_PASSWORD, load_only=True)


class OrganizationCreateSchema(Strict):
    name = fields.String(required=True, validate=NAME)
    slug = fields.String(required=True, validate=SLUG)
    timezone = fields.String(load_default="UTC", validate=TIMEZONE,
                             metadata={"description": "IANA time zone, e.g. Europe/London"})
    admin = fields.Nested(AdminCreateSchema, required=True)


class OrganizationCreatedSchema(Schema):
    id = fields.UUID(required=True)
    slug = fields.String(required=True)
    admin_user_id = fields.UUID(required=True)


class StaffLoginSchema(Strict):
    organization = fields.String(required=True, validate=validate.Length(min=1, max=63),
                                 metadata={"description": "the agency's slug"})
    email = fields.String(required=True, validate=validate.Length(min=1, max=320))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024),
                             load_only=True)


class PortalLoginSchema(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=320))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024),
                             load_only=True)


class StaffUserSchema(Schema):
    id = fields.UUID(required=True)
    organization_id = fields.UUID(required=True)
    email = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    name = fields.String(required=True)
    role_id = fields.UUID(required=True)
    role_name = fields.String(required=True)
    permissions = fields.List(fields.String(validate=validate.OneOf(PERMISSIONS)), required=True)
    active = fields.Boolean(required=True)
    allow_client_initiated_contact = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, validate=validate.Equal("Bearer"))
    expires_at = fields.DateTime(required=True)


class StaffTokenSchema(TokenSchema):
    user = fields.Nested(StaffUserSchema, required=True)


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


class StaffUserPageSchema(Schema):
    items = fields.List(fields.Nested(StaffUserSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class MeUpdateSchema(Strict):
    first_name = fields.String(validate=NAME)
    last_name = fields.String(validate=NAME)
    allow_client_initiated_contact = fields.Boolean()


class RoleSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    permissions = fields.List(fields.String(validate=validate.OneOf(PERMISSIONS)), required=True)
    builtin = fields.Boolean(required=True)
    users = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class RoleCreateSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    permissions = fields.List(fields.String(validate=validate.OneOf(PERMISSIONS)),
                              load_default=list)


class RoleUpdateSchema(Strict):
    name = fields.String(validate=validate.Length(min=1, max=100))
    permissions = fields.List(fields.String(validate=validate.OneOf(PERMISSIONS)))


class RolePageSchema(Schema):
    items = fields.List(fields.Nested(RoleSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class SettingsSchema(Schema):
    name = fields.String(required=True)
    slug = fields.String(required=True)
    portal_enabled = fields.Boolean(required=True)
    portal_features = fields.List(fields.String(validate=validate.OneOf(PORTAL_FEATURES)),
                                  required=True)
    disable_notifications_for_closed_records = fields.Boolean(required=True)
    invitation_ttl_hours = fields.Integer(required=True)
    timezone = fields.String(required=True)
    sender_name = fields.String(allow_none=True, required=True)
    welcome_template = fields.String(allow_none=True, required=True)


class SettingsUpdateSchema(Strict):
    portal_enabled = fields.Boolean()
    portal_features = fields.List(fields.String(validate=validate.OneOf(PORTAL_FEATURES)))
    disable_notifications_for_closed_records = fields.Boolean()
    invitation_ttl_hours = fields.Integer(validate=validate.Range(min=1, max=24 * 30))
    timezone = fields.String(validate=TIMEZONE,
                             metadata={"description": "IANA time zone, e.g. Europe/London"})
    sender_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    welcome_template = fields.String(allow_none=True, validate=validate.Length(max=20000))


class ContactPhoneSchema(Schema):
    type = fields.String(required=True)
    number = fields.String(required=True)


class GlobalRecordSchema(Schema):
    id = fields.UUID(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(required=True)
    phones = fields.List(fields.Nested(ContactPhoneSchema), required=True)
    preferred_contact_methods = fields.List(fields.String(), required=True)
    version = fields.Integer(required=True)
    updated_at = fields.DateTime(required=True)


class PortalProfileSchema(Schema):
    account_id = fields.UUID(required=True)
    username = fields.String(required=True)
    global_record = fields.Nested(GlobalRecordSchema, required=True)
