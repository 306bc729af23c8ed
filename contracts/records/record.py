"""Records themselves (API.md "Staff: records"): create, search, view and change a record, its
case number, client type, statuses, groups and navigators."""

from __future__ import annotations

import sys

from marshmallow import Schema, ValidationError, fields, validate

from ..common import ListQuerySchema, Strict, UtcDateTime, page_of, phone_key, unique_list

KINDS = ("client", "employee")
STATUSES = ("prospect", "active", "inactive", "closed")
PORTAL_STATUSES = ("enrollment_pending", "active", "banned")
CONTACT_METHODS = ("email", "phone", "sms", "post", "portal")
PHONE_TYPES = ("mobile", "home", "work", "other")
# as the service checks it (REC-3), spaces around it aside. "$(?!\n)": Python's $ also matches
# before a final newline, an ECMA regex's (the document's) does not
CASE_NUMBER = [validate.Length(min=1, max=50), validate.Regexp(
    r"^ *[A-Za-z0-9][A-Za-z0-9_/.-]* *$(?!\n)",
    error="1 to 50 letters, digits, '-', '_', '/' or '.', starting with a letter or digit")]
MAX_CUSTOM_FIELDS = 50  # on the record, whatever the requests (the service checks the merge)
MAX_CUSTOM_VALUE_LENGTH = 2000
FINITE = sys.float_info.max  # a JSON number beyond it reaches Python as infinity
CUSTOM_FIELDS_DOC = (f"up to {MAX_CUSTOM_FIELDS} fields named by 1 to 100 characters; values are "
                     f"strings (at most {MAX_CUSTOM_VALUE_LENGTH} characters), finite numbers or "
                     "booleans")


class PhoneSchema(Strict):
    type = fields.String(load_default="mobile", validate=validate.OneOf(PHONE_TYPES))
    number = fields.String(required=True, validate=validate.Regexp(
        r"^\+?[0-9 ()\-.]{3,30}$(?!\n)", error="a phone number of digits, spaces and ()-."))


def phones_field(**options) -> fields.List:
    """Up to 10 phone numbers, each number once (``+44 20 7946 0000`` is ``+442079460000``)."""
    return unique_list(fields.Nested(PhoneSchema), key=phone_key, what="phone number",
                       validate=validate.Length(max=10), metadata={
                           "description": "at most 10, each number once (by its digits)"},
                       **options)


def contact_methods_field(**options) -> fields.List:
    return unique_list(fields.String(validate=validate.OneOf(CONTACT_METHODS)),
                       what="contact method", **options)


def _custom_value(value) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, str):
        if len(value) > MAX_CUSTOM_VALUE_LENGTH:
            raise ValidationError(f"at most {MAX_CUSTOM_VALUE_LENGTH} characters")
    elif isinstance(value, (int, float)):
        if not -FINITE <= value <= FINITE:  # also false for NaN
            raise ValidationError("a finite number")
    else:
        raise ValidationError("a string, number or boolean")


def _at_most_custom_fields(values: dict) -> None:
    if len(values) > MAX_CUSTOM_FIELDS:
        raise ValidationError(f"at most {MAX_CUSTOM_FIELDS} custom fields")


def _custom_fields(nullable_values: bool = False, **options):
    """Custom fields; with ``nullable_values`` (PATCH) a field set to null is removed. (OpenAPI
    3.0 has no propertyNames: the names' length is in the description only.)"""
    kinds = [{"type": "string", "maxLength": MAX_CUSTOM_VALUE_LENGTH},
             {"type": "number", "minimum": -FINITE, "maximum": FINITE},
             {"type": "boolean"}]
    if nullable_values:
        kinds.append({"type": "string", "nullable": True, "enum": [None]})
    value = fields.Raw(allow_none=nullable_values, validate=_custom_value,
                       metadata={"anyOf": kinds})
    return fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=100)),
                       values=value, validate=_at_most_custom_fields, metadata={
                           "description": CUSTOM_FIELDS_DOC, "maxProperties": MAX_CUSTOM_FIELDS},
                       **options)


# --- requests -------------------------------------------------------------------------------

class RecordCreateSchema(Strict):
    kind = fields.String(load_default="client", validate=validate.OneOf(KINDS))
    first_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=320))
    phones = phones_field(load_default=list)
    preferred_contact_methods = contact_methods_field(load_default=list)
    date_of_birth = fields.Date(load_default=None, allow_none=True)
    case_number = fields.String(load_default=None, allow_none=True, validate=CASE_NUMBER)
    client_type_id = fields.UUID(load_default=None, allow_none=True)
    status = fields.String(load_default="active", validate=validate.OneOf(STATUSES))
    custom_fields = _custom_fields(load_default=dict)


class RecordPatchSchema(Strict):
    """Demographics, warning indicators (the whole selection) and custom fields (merged: a
    field set to null is removed)."""

    kind = fields.String(validate=validate.OneOf(KINDS))
    first_name = fields.String(validate=validate.Length(min=1, max=200))
    last_name = fields.String(validate=validate.Length(min=1, max=200))
    email = fields.Email(allow_none=True, validate=validate.Length(max=320))
    phones = phones_field()
    preferred_contact_methods = contact_methods_field()
    date_of_birth = fields.Date(allow_none=True)
    warning_indicator_ids = unique_list(fields.UUID(), what="warning indicator",
                                        validate=validate.Length(max=100))
    custom_fields = _custom_fields(nullable_values=True)


class CaseNumberBodySchema(Strict):
    case_number = fields.String(required=True, validate=CASE_NUMBER)


class ClientTypeBodySchema(Strict):
    client_type_id = fields.UUID(required=True, allow_none=True)


class StatusBodySchema(Strict):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))


class PortalStatusBodySchema(Strict):
    portal_status = fields.String(required=True, validate=validate.OneOf(PORTAL_STATUSES))


class GroupBodySchema(Strict):
    group_id = fields.UUID(required=True)


class NavigatorBodySchema(Strict):
    user_id = fields.UUID(required=True)


class RecordSearchQuerySchema(ListQuerySchema):
    q = fields.String(load_default=None, validate=validate.Length(max=200))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    client_type_id = fields.UUID(load_default=None)
    group_id = fields.UUID(load_default=None)
    navigator_id = fields.UUID(load_default=None)


# --- replies --------------------------------------------------------------------------------

class RecordSchema(Schema):
    """A record as search lists it."""

    id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "first and last name"})
    email = fields.String(required=True, allow_none=True)
    phones = fields.List(fields.Nested(PhoneSchema), required=True)
    preferred_contact_methods = fields.List(
        fields.String(validate=validate.OneOf(CONTACT_METHODS)), required=True)
    date_of_birth = fields.Date(required=True, allow_none=True)
    case_number = fields.String(required=True)
    client_type_id = fields.UUID(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    portal_status = fields.String(required=True, allow_none=True,
                                  validate=validate.OneOf(PORTAL_STATUSES))
    has_client_account = fields.Boolean(required=True)
    custom_fields = fields.Dict(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class ClientTypeRefSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    active = fields.Boolean(required=True)


class WarningIndicatorRefSchema(ClientTypeRefSchema):
    colour = fields.String(required=True, allow_none=True)


class GroupRefSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)


class NavigatorRefSchema(Schema):
    user_id = fields.UUID(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True, allow_none=True)
    active = fields.Boolean(required=True)
    assigned_at = UtcDateTime(required=True)


class InvitationStateSchema(Schema):
    sent = fields.Boolean(required=True)
    sent_at = UtcDateTime(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)


class RecordViewSchema(RecordSchema):
    """The whole record (REC-1): one RPC, one statement."""

    client_type = fields.Nested(ClientTypeRefSchema, required=True, allow_none=True)
    warning_indicators = fields.List(fields.Nested(WarningIndicatorRefSchema), required=True)
    groups = fields.List(fields.Nested(GroupRefSchema), required=True)
    navigators = fields.List(fields.Nested(NavigatorRefSchema), required=True)
    image_url = fields.String(allow_none=True, required=True)
    invitation = fields.Nested(InvitationStateSchema, required=True)


class RecordJoinedSchema(Schema):
    """RPC reply of joining a group or assigning a navigator: ``added`` is false when the record
    had it already (the gateway answers 200 then, 201 otherwise, with the record)."""

    added = fields.Boolean(required=True)
    record = fields.Nested(RecordViewSchema, required=True)


RecordPageSchema = page_of(RecordSchema)
