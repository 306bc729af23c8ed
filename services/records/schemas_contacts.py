"""What the records service accepts and answers for contacts and their links (REC-12)."""

from marshmallow import Schema, fields, validate

from casework.fields import UtcDateTime

from .contact_rules import ContactType
from .schemas import PhoneSchema, Strict, one_of

NAME = validate.Length(min=1, max=200)


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


class ContactFields(Strict):
    first_name = fields.String(allow_none=True, validate=NAME)
    last_name = fields.String(allow_none=True, validate=NAME)
    organisation_name = fields.String(allow_none=True, validate=NAME)
    email = fields.Email(allow_none=True, validate=validate.Length(max=320))
    phones = fields.List(fields.Nested(PhoneSchema), validate=validate.Length(max=10))
    address = fields.Nested(AddressSchema, allow_none=True)


class ContactInSchema(ContactFields):
    # the search came first and found nothing that fits: create it even though it looks like
    # an existing contact (REC-12 "linked rather than created twice")
    confirm_new = fields.Boolean(load_default=False)


class ContactQuerySchema(Strict):
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class LinkInSchema(Strict):
    contact_id = fields.UUID(required=True)
    contact_types = fields.List(fields.String(validate=one_of(ContactType)), required=True,
                                validate=validate.Length(min=1, max=len(ContactType)))
    relationship = fields.String(required=True, validate=validate.Length(min=1, max=100))
    organisation_reference = fields.String(load_default=None, allow_none=True,
                                           validate=validate.Length(max=200))
    connection_role = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(min=1, max=100))


class LinkPatchSchema(Strict):
    contact_types = fields.List(fields.String(validate=one_of(ContactType)),
                                validate=validate.Length(min=1, max=len(ContactType)))
    relationship = fields.String(validate=validate.Length(min=1, max=100))
    organisation_reference = fields.String(allow_none=True, validate=validate.Length(max=200))
    connection_role = fields.String(allow_none=True, validate=validate.Length(min=1, max=100))


class ContactSchema(Schema):
    id = fields.UUID()
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    organisation_name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phones = fields.List(fields.Dict())
    address = fields.Dict(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class LinkSchema(Schema):
    record_id = fields.UUID()
    contact_id = fields.UUID()
    contact_types = fields.List(fields.String())
    relationship = fields.String()
    organisation_reference = fields.String(allow_none=True)
    connection_role = fields.String(allow_none=True)
    billing_eligible = fields.Boolean()
    can_invite_as_connection = fields.Boolean()
    contact = fields.Nested(ContactSchema)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
