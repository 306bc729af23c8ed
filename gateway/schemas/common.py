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


# What every service's cursor is (URL-safe base64 of a small JSON object, padded); the service
# still refuses (422) a well-formed one it never gave, as it would an unknown position. ("$(?!\n)":
# Python's $ also matches before a final newline, an ECMA regex's, the document's, does not.)
CURSOR = validate.Regexp(
    r"^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$(?!\n)",
    error="the next_cursor of the previous page, unchanged")


class ListQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    # (a callable default: a query parameter is never null, so the document must not say so)
    cursor = fields.String(load_default=lambda: None,
                           validate=[validate.Length(max=500), CURSOR], metadata={
                               "description": "the next_cursor of the previous page, unchanged "
                                              "(opaque); absent or empty for the first page"})


class HealthSchema(Schema):
    status = fields.String(required=True)


class ReadySchema(Schema):
    status = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
