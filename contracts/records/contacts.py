"""Agency contacts and their links to clients (REC-12)."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..common import ListQuerySchema, Strict, UtcDateTime, page_of, unique_list
from .record import PhoneSchema, phones_field

NAME = validate.Length(min=1, max=200)
# a character that is not white space, to Python's str.strip() (the service's test) and to an
# ECMA regex (the document's) alike: ECMA's \s lacks \x1c-\x1f and NEL, Python's lacks BOM
NOT_BLANK = r"[^\s\x1c-\x1f\x85\ufeff]"
CONTACT_TYPES = ("general", "emergency", "next_of_kin", "guardian", "professional",
                 "additional_address", "finance_billing")


class AddressSchema(Strict):
    line1 = fields.String(required=True, validate=validate.Length(min=1, max=200))
    line2 = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    city = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    region = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=100))
    postcode = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=20))
    country = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=100))


class ContactPatchSchema(Strict):
    first_name = fields.String(allow_none=True, validate=NAME)
    last_name = fields.String(allow_none=True, validate=NAME)
    organisation_name = fields.String(allow_none=True, validate=NAME)
    email = fields.Email(allow_none=True, validate=validate.Length(max=320))
    phones = phones_field()
    address = fields.Nested(AddressSchema, allow_none=True)


class ContactCreateSchema(ContactPatchSchema):
    """A last name or an organisation name is required. A contact like an existing one (same
    e-mail, very similar name) is refused with 409 unless ``confirm_new`` is true."""

    # merged into the component by gateway/openapi.py: what no single field can say
    OPENAPI_EXTRA = {"anyOf": [
        {"required": [name], "properties": {name: {"type": "string", "pattern": NOT_BLANK}}}
        for name in ("last_name", "organisation_name")]}

    # the search came first and found nothing that fits: create it even though it looks like
    # an existing contact (REC-12 "linked rather than created twice")
    confirm_new = fields.Boolean(load_default=False)

    @validates_schema
    def _named(self, data, **kwargs):
        if not any(re.search(NOT_BLANK, data.get(name) or "")
                   for name in ("last_name", "organisation_name")):
            raise ValidationError("a last name or an organisation name is required",
                                  "last_name")


class ContactQuerySchema(ListQuerySchema):
    q = fields.String(load_default=None, validate=validate.Length(max=200))


class ContactSchema(Schema):
    id = fields.UUID(required=True)
    first_name = fields.String(required=True, allow_none=True)
    last_name = fields.String(required=True, allow_none=True)
    organisation_name = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)
    phones = fields.List(fields.Nested(PhoneSchema), required=True)
    address = fields.Nested(AddressSchema, required=True, allow_none=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


def _contact_types(**options):
    return unique_list(fields.String(validate=validate.OneOf(CONTACT_TYPES)), what="contact type",
                       validate=validate.Length(min=1, max=len(CONTACT_TYPES)), metadata={
                           "description": "additional_address needs the contact's address; "
                                          "finance_billing makes it a possible billing contact"},
                       **options)


class LinkCreateSchema(Strict):
    contact_id = fields.UUID(required=True)
    contact_types = _contact_types(required=True)
    relationship = fields.String(required=True, validate=validate.Length(min=1, max=100))
    organisation_reference = fields.String(load_default=None, allow_none=True,
                                           validate=validate.Length(max=200))
    connection_role = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(min=1, max=100), metadata={
                                        "description": "needed to invite the contact to become "
                                                       "a connection (a system user)"})


class LinkPatchSchema(Strict):
    contact_types = _contact_types()
    relationship = fields.String(validate=validate.Length(min=1, max=100))
    organisation_reference = fields.String(allow_none=True, validate=validate.Length(max=200))
    connection_role = fields.String(allow_none=True, validate=validate.Length(min=1, max=100))


class LinkSchema(Schema):
    record_id = fields.UUID(required=True)
    contact_id = fields.UUID(required=True)
    contact_types = fields.List(fields.String(validate=validate.OneOf(CONTACT_TYPES)),
                                required=True)
    relationship = fields.String(required=True)
    organisation_reference = fields.String(required=True, allow_none=True)
    connection_role = fields.String(required=True, allow_none=True)
    billing_eligible = fields.Boolean(required=True)
    can_invite_as_connection = fields.Boolean(required=True)
    contact = fields.Nested(ContactSchema, required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


ContactPageSchema = page_of(ContactSchema)
LinkPageSchema = page_of(LinkSchema)
