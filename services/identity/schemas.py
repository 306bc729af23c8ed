"""What the identity service accepts over RPC and what it answers (marshmallow).

The gateway validates the same fields first; the service validates again, trusting no caller."""

from marshmallow import RAISE, Schema, fields, validate

from casework.fields import UtcDateTime

from .domain import (
    ALL_PERMISSIONS,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    PORTAL_FEATURES,
)

CONTACT_METHODS = ("email", "phone", "sms", "post", "portal")
PHONE_TYPES = ("mobile", "home", "work", "other")

NAME = validate.Length(min=1, max=200)
EMAIL = validate.Length(max=320)
NEW_PASSWORD = validate.Length(min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH,
                               error=f"{PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters")
ANY_PASSWORD = validate.Length(min=1, max=PASSWORD_MAX_LENGTH)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class AdminSchema(Strict):
    email = fields.Email(required=True, validate=EMAIL)
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)
    password = fields.String(required=True, validate=NEW_PASSWORD)


class CreateOrganizationSchema(Strict):
    name = fields.String(required=True, validate=NAME)
    slug = fields.String(required=True, validate=validate.Length(min=1, max=63))
    timezone = fields.String(load_default="UTC", validate=validate.Length(min=1, max=64))
    admin = fields.Nested(AdminSchema, required=True)


class StaffLoginSchema(Strict):
    organization = fields.String(required=True, validate=validate.Length(min=1, max=63))
    email = fields.String(required=True, validate=validate.Length(min=1, max=320))
    password = fields.String(required=True, validate=ANY_PASSWORD)


class PortalLoginSchema(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=320))
    password = fields.String(required=True, validate=ANY_PASSWORD)


class ListSchema(Strict):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class CreateUserSchema(Strict):
    email = fields.Email(required=True, validate=EMAIL)
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)
    role_id = fields.UUID(load_default=None, allow_none=True)
    password = fields.String(required=True, validate=NEW_PASSWORD)
    active = fields.Boolean(load_default=True)
    allow_client_initiated_contact = fields.Boolean(load_default=True)


class UpdateUserSchema(Strict):
    email = fields.Email(validate=EMAIL)
    first_name = fields.String(validate=NAME)
    last_name = fields.String(validate=NAME)
    role_id = fields.UUID()
    active = fields.Boolean()
    allow_client_initiated_contact = fields.Boolean()
    password = fields.String(validate=NEW_PASSWORD)


class UpdateMeSchema(Strict):
    first_name = fields.String(validate=NAME)
    last_name = fields.String(validate=NAME)
    allow_client_initiated_contact = fields.Boolean()


class CreateRoleSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    permissions = fields.List(fields.String(validate=validate.OneOf(ALL_PERMISSIONS)),
                              load_default=list)


class UpdateRoleSchema(Strict):
    name = fields.String(validate=validate.Length(min=1, max=100))
    permissions = fields.List(fields.String(validate=validate.OneOf(ALL_PERMISSIONS)))


class UpdateSettingsSchema(Strict):
    portal_enabled = fields.Boolean()
    portal_features = fields.List(fields.String(validate=validate.OneOf(PORTAL_FEATURES)))
    disable_notifications_for_closed_records = fields.Boolean()
    invitation_ttl_hours = fields.Integer(validate=validate.Range(min=1, max=24 * 30))
    timezone = fields.String(validate=validate.Length(min=1, max=64))
    sender_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    welcome_template = fields.String(allow_none=True, validate=validate.Length(max=20000))


class PhoneSchema(Strict):
    type = fields.String(load_default="mobile", validate=validate.OneOf(PHONE_TYPES))
    number = fields.String(required=True, validate=validate.Regexp(
        r"^\+?[0-9 ()\-.]{3,30}$", error="a phone number of digits, spaces and ()-."))


class CreatePortalAccountSchema(Strict):
    email = fields.Email(required=True, validate=EMAIL)
    password = fields.String(required=True, validate=NEW_PASSWORD)
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)
    phones = fields.List(fields.Nested(PhoneSchema), load_default=list,
                         validate=validate.Length(max=10))
    preferred_contact_methods = fields.List(
        fields.String(validate=validate.OneOf(CONTACT_METHODS)), load_default=list)


# --- answers ---------------------------------------------------------------------------------

class UserSchema(Schema):
    id = fields.UUID()
    organization_id = fields.UUID()
    email = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    name = fields.Function(lambda u: f"{u['first_name']} {u['last_name']}".strip())
    role_id = fields.UUID()
    role_name = fields.String()
    permissions = fields.List(fields.String())
    active = fields.Boolean()
    allow_client_initiated_contact = fields.Boolean()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class RoleSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    permissions = fields.List(fields.String())
    builtin = fields.Function(lambda r: r["builtin"] is not None)
    users = fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class SettingsSchema(Schema):
    name = fields.String()
    slug = fields.String()
    portal_enabled = fields.Boolean()
    portal_features = fields.List(fields.String())
    disable_notifications_for_closed_records = fields.Boolean()
    invitation_ttl_hours = fields.Integer()
    timezone = fields.String()
    sender_name = fields.String(allow_none=True)
    welcome_template = fields.String(allow_none=True)


class GlobalRecordSchema(Schema):
    id = fields.UUID()
    first_name = fields.String()
    last_name = fields.String()
    email = fields.String()
    phones = fields.List(fields.Dict())
    preferred_contact_methods = fields.List(fields.String())
    version = fields.Integer()
    updated_at = UtcDateTime()


create_organization_schema = CreateOrganizationSchema()
staff_login_schema = StaffLoginSchema()
portal_login_schema = PortalLoginSchema()
list_schema = ListSchema()
create_user_schema = CreateUserSchema()
update_user_schema = UpdateUserSchema()
update_me_schema = UpdateMeSchema()
create_role_schema = CreateRoleSchema()
update_role_schema = UpdateRoleSchema()
update_settings_schema = UpdateSettingsSchema()
create_portal_account_schema = CreatePortalAccountSchema()
user_schema = UserSchema()
role_schema = RoleSchema()
settings_schema = SettingsSchema()
global_record_schema = GlobalRecordSchema()
