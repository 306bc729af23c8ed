"""What an agency defines for its records (API.md "Staff: agency administration"): client types
(REC-4), warning indicators (REC-14) and groups with their members in bulk (REC-7)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..common import Strict, UtcDateTime, page_of

NAME = validate.Length(min=1, max=100)
DESCRIPTION = validate.Length(max=2000)
COLOUR = validate.Regexp(r"^#[0-9A-Fa-f]{6}$(?!\n)", error="a colour like #C0392B")
BULK_LIMIT = 10000
BULK_OUTCOMES = ("added", "removed", "unchanged", "failed")


class ClientTypeCreateSchema(Strict):
    name = fields.String(required=True, validate=NAME)


class ClientTypePatchSchema(Strict):
    name = fields.String(validate=NAME)
    active = fields.Boolean()


class ClientTypeSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    active = fields.Boolean(required=True)
    created_at = UtcDateTime(required=True)


class WarningIndicatorCreateSchema(Strict):
    name = fields.String(required=True, validate=NAME)
    description = fields.String(load_default=None, allow_none=True, validate=DESCRIPTION)
    colour = fields.String(load_default=None, allow_none=True, validate=COLOUR)


class WarningIndicatorPatchSchema(Strict):
    name = fields.String(validate=NAME)
    description = fields.String(allow_none=True, validate=DESCRIPTION)
    colour = fields.String(allow_none=True, validate=COLOUR)
    active = fields.Boolean()


class WarningIndicatorSchema(ClientTypeSchema):
    description = fields.String(required=True, allow_none=True)
    colour = fields.String(required=True, allow_none=True)


def _deletion(item: type[Schema]) -> type[Schema]:
    """RPC reply of deleting a catalogue item: deleted, or deactivated (``item``) because
    records use it; the gateway answers 204 or 200 with the item."""
    deletion = Schema.from_dict({
        "deleted": fields.Boolean(required=True),
        "item": fields.Nested(item, required=True, allow_none=True),
    }, name=item.__name__.removesuffix("Schema") + "DeletionSchema")
    deletion.__module__ = __name__
    return deletion


class GroupCreateSchema(Strict):
    name = fields.String(required=True, validate=NAME)
    description = fields.String(load_default=None, allow_none=True, validate=DESCRIPTION)


class GroupPatchSchema(Strict):
    name = fields.String(validate=NAME)
    description = fields.String(allow_none=True, validate=DESCRIPTION)


class GroupSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True, allow_none=True)
    member_count = fields.Integer(required=True)
    created_at = UtcDateTime(required=True)


class BulkMembersBodySchema(Strict):
    add = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=BULK_LIMIT))
    remove = fields.List(fields.UUID(), load_default=list,
                         validate=validate.Length(max=BULK_LIMIT))


class BulkResultSchema(Schema):
    record_id = fields.UUID(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(BULK_OUTCOMES))
    code = fields.String(allow_none=True, required=True, metadata={
        "description": "already_member, not_member or not_found; null when it changed"})


class BulkMembersSchema(Schema):
    added = fields.Integer(required=True)
    removed = fields.Integer(required=True)
    results = fields.List(fields.Nested(BulkResultSchema), required=True)


ClientTypePageSchema = page_of(ClientTypeSchema)
ClientTypeDeletionSchema = _deletion(ClientTypeSchema)
WarningIndicatorPageSchema = page_of(WarningIndicatorSchema)
WarningIndicatorDeletionSchema = _deletion(WarningIndicatorSchema)
GroupPageSchema = page_of(GroupSchema)
