"""HTTP schemas of the staff records routes (the contract of API.md "Staff: records").

The records service validates again with its own RPC schemas: no service trusts its callers."""

from marshmallow import RAISE, Schema, fields, validate

from .common import ListQuerySchema

KINDS = ("client", "employee")
STATUSES = ("prospect", "active", "inactive", "closed")
PORTAL_STATUSES = ("enrollment_pending", "active", "banned")
CONTACT_METHODS = ("email", "phone", "sms", "post", "portal")


class PhoneSchema(Schema):
    class Meta:
        unknown = RAISE

    type = fields.String(load_default="mobile",
                         validate=validate.OneOf(("mobile", "home", "work", "other")))
    number = fields.String(required=True, validate=validate.Regexp(
        r"^\+?[0-9 ()\-.]{3,30}$", error="a phone number of digits, spaces and ()-."))


class RecordCreateSchema(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(load_default="client", validate=validate.OneOf(KINDS))
    first_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=320))
    phones = fields.List(fields.Nested(PhoneSchema), load_default=list,
                         validate=validate.Length(max=10))
    preferred_contact_methods = fields.List(
        fields.String(validate=validate.OneOf(CONTACT_METHODS)), load_default=list)
    date_of_birth = fields.Date(load_default=None, allow_none=True)
    case_number = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(min=1, max=50))
    client_type_id = fields.UUID(load_default=None, allow_none=True)
    status = fields.String(load_default="active", validate=validate.OneOf(STATUSES))
    custom_fields = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=100)),
                                load_default=dict)


class RecordSchema(Schema):
    id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(allow_none=True)
    phones = fields.List(fields.Nested(PhoneSchema))
    preferred_contact_methods = fields.List(fields.String())
    date_of_birth = fields.Date(allow_none=True)
    case_number = fields.String(required=True)
    client_type_id = fields.UUID(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    portal_status = fields.String(allow_none=True)
    has_client_account = fields.Boolean(required=True)
    custom_fields = fields.Dict()
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class RecordSearchQuerySchema(ListQuerySchema):
    q = fields.String(load_default=None, validate=validate.Length(max=200))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    client_type_id = fields.UUID(load_default=None)


class RecordPageSchema(Schema):
    items = fields.List(fields.Nested(RecordSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
