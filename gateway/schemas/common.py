"""Schemas shared by every audience of the HTTP API."""

from marshmallow import EXCLUDE, INCLUDE, Schema, fields, validate


class ProblemSchema(Schema):
    """RFC 9457 problem details; extension members (e.g. ``possible_duplicates``) may follow."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    code = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


class ListQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))


class HealthSchema(Schema):
    status = fields.String(required=True)


class ReadySchema(Schema):
    status = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
