"""What the records service accepts over RPC and what it answers (marshmallow)."""

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from casework.errors import ValidationFailed
from casework.fields import UtcDateTime

from .domain import RecordKind, RecordStatus

CONTACT_METHODS = ("email", "phone", "sms", "post", "portal")
PHONE_TYPES = ("mobile", "home", "work", "other")


class PhoneSchema(Schema):
    class Meta:
        unknown = RAISE

    type = fields.String(load_default="mobile", validate=validate.OneOf(PHONE_TYPES))
    number = fields.String(required=True, validate=validate.Regexp(
        r"^\+?[0-9 ()\-.]{3,30}$", error="a phone number of digits, spaces and ()-."))


class CreateRecordSchema(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(load_default=RecordKind.CLIENT.value,
                         validate=validate.OneOf([k.value for k in RecordKind]))
    first_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=320))
    phones = fields.List(fields.Nested(PhoneSchema), load_default=list,
                         validate=validate.Length(max=10))
    preferred_contact_methods = fields.List(
        fields.String(validate=validate.OneOf(CONTACT_METHODS)), load_default=list)
    date_of_birth = fields.Date(load_default=None, allow_none=True)
    case_number = fields.String(load_default=None, allow_none=True)
    client_type_id = fields.UUID(load_default=None, allow_none=True)
    status = fields.String(load_default=RecordStatus.ACTIVE.value,
                           validate=validate.OneOf([s.value for s in RecordStatus]))
    custom_fields = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=100)),
                                load_default=dict)


class SearchSchema(Schema):
    class Meta:
        unknown = RAISE

    q = fields.String(load_default=None, validate=validate.Length(max=200))
    status = fields.String(load_default=None,
                           validate=validate.OneOf([s.value for s in RecordStatus]))
    kind = fields.String(load_default=None, validate=validate.OneOf([k.value for k in RecordKind]))
    client_type_id = fields.UUID(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None)


class RecordSchema(Schema):
    id = fields.UUID()
    kind = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    email = fields.String(allow_none=True)
    phones = fields.List(fields.Dict())
    preferred_contact_methods = fields.List(fields.String())
    date_of_birth = fields.Date(allow_none=True)
    case_number = fields.String()
    client_type_id = fields.UUID(allow_none=True)
    status = fields.String()
    portal_status = fields.String(allow_none=True)
    has_client_account = fields.Function(lambda r: r["portal_status"] is not None)
    custom_fields = fields.Dict()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


def load(schema: Schema, payload):
    """Load ``payload`` or raise the typed 422 with field errors."""
    try:
        return schema.load(payload if payload is not None else {})
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationFailed("the request has invalid fields", messages) from exc


create_record_schema = CreateRecordSchema()
search_schema = SearchSchema()
record_schema = RecordSchema()
