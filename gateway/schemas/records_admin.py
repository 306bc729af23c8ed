"""HTTP schemas of an agency's client types, warning indicators and groups (API.md "Staff:
agency administration")."""

from marshmallow import Schema, fields, validate

from .records import Strict

NAME = validate.Length(min=1, max=100)
COLOUR = validate.Regexp(r"^#[0-9A-Fa-f]{6}$", error="a colour like #C0392B")
BULK_LIMIT = 10000


class ClientTypeCreateSchema(Strict):
    name = fields.String(required=True, validate=NAME)


class ClientTypePatchSchema(Strict):
    name = fields.String(validate=NAME)
    active = fields.Boolean()


class ClientTypeSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    active = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)


class ClientTypePageSchema(Schema):
    items = fields.List(fields.Nested(ClientTypeSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class WarningIndicatorCreateSchema(Strict):
    name = fields.String(required=True, validate=NAME)
    description = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=2000))
    colour = fields.String(load_default=None, allow_none=True, validate=COLOUR)


class WarningIndicatorPatchSchema(Strict):
    name = fields.String(validate=NAME)
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))
    colour = fields.String(allow_none=True, validate=COLOUR)
    active = fields.Boolean()


class WarningIndicatorSchema(ClientTypeSchema):
    description = fields.String(allow_none=True)
    colour = fields.String(allow_none=True)


class WarningIndicatorPageSchema(Schema):
    items = fields.List(fields.Nested(WarningIndicatorSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class GroupCreateSchema(Strict):
    name = fields.String(required=True, validate=NAME)
    description = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=2000))


class GroupPatchSchema(Strict):
    name = fields.String(validate=NAME)
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))


class GroupSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    description = fields.String(allow_none=True)
    member_count = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)


class GroupPageSchema(Schema):
    items = fields.List(fields.Nested(GroupSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class BulkMembersBodySchema(Strict):
    add = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=BULK_LIMIT))
    remove = fields.List(fields.UUID(), load_default=list,
                         validate=validate.Length(max=BULK_LIMIT))


class BulkResultSchema(Schema):
    record_id = fields.UUID(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(
        ("added", "removed", "unchanged", "failed")))
    code = fields.String(allow_none=True, required=True, metadata={
        "description": "already_member, not_member or not_found; null when it changed"})


class BulkMembersSchema(Schema):
    added = fields.Integer(required=True)
    removed = fields.Integer(required=True)
    results = fields.List(fields.Nested(BulkResultSchema), required=True)
