"""What the records service accepts and answers for an agency's client types, warning
indicators and groups (marshmallow)."""

from marshmallow import Schema, fields, validate

from casework.fields import UtcDateTime

from .schemas import Strict

NAME = validate.Length(min=1, max=100)
COLOUR = validate.Regexp(r"^#[0-9A-Fa-f]{6}$", error="a colour like #C0392B")
BULK_LIMIT = 10000


class ClientTypeInSchema(Strict):
    name = fields.String(required=True, validate=NAME)


class ClientTypePatchSchema(Strict):
    name = fields.String(validate=NAME)
    active = fields.Boolean()


class WarningIndicatorInSchema(Strict):
    name = fields.String(required=True, validate=NAME)
    description = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=2000))
    colour = fields.String(load_default=None, allow_none=True, validate=COLOUR)


class WarningIndicatorPatchSchema(Strict):
    name = fields.String(validate=NAME)
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))
    colour = fields.String(allow_none=True, validate=COLOUR)
    active = fields.Boolean()


class GroupInSchema(Strict):
    name = fields.String(required=True, validate=NAME)
    description = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=2000))


class GroupPatchSchema(Strict):
    name = fields.String(validate=NAME)
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))


class BulkMembersSchema(Strict):
    add = fields.List(fields.UUID(), load_default=list,
                      validate=validate.Length(max=BULK_LIMIT))
    remove = fields.List(fields.UUID(), load_default=list,
                         validate=validate.Length(max=BULK_LIMIT))


class ClientTypeSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    active = fields.Boolean()
    created_at = UtcDateTime()


class WarningIndicatorSchema(ClientTypeSchema):
    description = fields.String(allow_none=True)
    colour = fields.String(allow_none=True)


class GroupSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    description = fields.String(allow_none=True)
    member_count = fields.Integer()
    created_at = UtcDateTime()
