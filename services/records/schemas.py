"""What the records service accepts over RPC and what it answers about records (marshmallow)."""

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
)

from casework.fields import UtcDateTime

from .domain import MAX_CUSTOM_FIELDS, PortalStatus, RecordKind, RecordStatus

CONTACT_METHODS = ("email", "phone", "sms", "post", "portal")
PHONE_TYPES = ("mobile", "home", "work", "other")
RECORD_IMAGE_PATH = "/api/v1/staff/records/{}/image"


class Strict(Schema):
    class Meta:
        unknown = RAISE


class PhoneSchema(Strict):
    type = fields.String(load_default="mobile", validate=validate.OneOf(PHONE_TYPES))
    number = fields.String(required=True, validate=validate.Regexp(
        r"^\+?[0-9 ()\-.]{3,30}$", error="a phone number of digits, spaces and ()-."))


def _custom_values(values: dict, allow_null: bool) -> None:
    if len(values) > MAX_CUSTOM_FIELDS:
        raise ValidationError(f"at most {MAX_CUSTOM_FIELDS} custom fields")
    for key, value in values.items():
        if value is None and allow_null:
            continue
        if isinstance(value, str) and len(value) > 2000:
            raise ValidationError(f"{key}: at most 2000 characters")
        if not isinstance(value, (str, int, float, bool)):
            raise ValidationError(f"{key}: a string, number or boolean")


def custom_fields_field(allow_null: bool, **options):
    return fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=100)),
                       validate=lambda v: _custom_values(v, allow_null), **options)


def one_of(enum):
    return validate.OneOf([member.value for member in enum])


class CreateRecordSchema(Strict):
    kind = fields.String(load_default=RecordKind.CLIENT.value, validate=one_of(RecordKind))
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
    status = fields.String(load_default=RecordStatus.ACTIVE.value, validate=one_of(RecordStatus))
    custom_fields = custom_fields_field(allow_null=False, load_default=dict)


class PatchRecordSchema(Strict):
    """Demographics, warning indicators and custom fields; every field optional."""

    kind = fields.String(validate=one_of(RecordKind))
    first_name = fields.String(validate=validate.Length(min=1, max=200))
    last_name = fields.String(validate=validate.Length(min=1, max=200))
    email = fields.Email(allow_none=True, validate=validate.Length(max=320))
    phones = fields.List(fields.Nested(PhoneSchema), validate=validate.Length(max=10))
    preferred_contact_methods = fields.List(
        fields.String(validate=validate.OneOf(CONTACT_METHODS)))
    date_of_birth = fields.Date(allow_none=True)
    warning_indicator_ids = fields.List(fields.UUID(), validate=validate.Length(max=100))
    custom_fields = custom_fields_field(allow_null=True)


class CaseNumberSchema(Strict):
    case_number = fields.String(required=True, validate=validate.Length(min=1, max=50))


class ClientTypeChoiceSchema(Strict):
    client_type_id = fields.UUID(required=True, allow_none=True)


class StatusSchema(Strict):
    status = fields.String(required=True, validate=one_of(RecordStatus))


class PortalStatusSchema(Strict):
    portal_status = fields.String(required=True, validate=one_of(PortalStatus))


class NotesSchema(Strict):
    body = fields.String(required=True, validate=validate.Length(max=20000))


class NavigatorSchema(Strict):
    user_id = fields.UUID(required=True)


class GroupChoiceSchema(Strict):
    group_id = fields.UUID(required=True)


class PageSchema(Strict):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class SearchSchema(PageSchema):
    q = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    status = fields.String(load_default=None, allow_none=True, validate=one_of(RecordStatus))
    kind = fields.String(load_default=None, allow_none=True, validate=one_of(RecordKind))
    client_type_id = fields.UUID(load_default=None, allow_none=True)
    group_id = fields.UUID(load_default=None, allow_none=True)
    navigator_id = fields.UUID(load_default=None, allow_none=True)


class RecordSchema(Schema):
    """A record as lists and search show it."""

    id = fields.UUID()
    kind = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    name = fields.Function(lambda r: f"{r['first_name']} {r['last_name']}")
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


class InvitationStateSchema(Schema):
    sent = fields.Function(lambda r: r["invitation_sent_at"] is not None)
    sent_at = UtcDateTime(attribute="invitation_sent_at", allow_none=True)
    email = fields.String(attribute="invitation_email", allow_none=True)


class RecordViewSchema(RecordSchema):
    """The whole record as REC-1 shows it (one query: related rows come aggregated as JSON)."""

    client_type = fields.Raw(allow_none=True)
    warning_indicators = fields.Raw()
    groups = fields.Raw()
    navigators = fields.Raw()
    image_url = fields.Function(
        lambda r: RECORD_IMAGE_PATH.format(r["id"]) if r["image_uploaded_at"] else None)
    invitation = fields.Function(lambda r: InvitationStateSchema().dump(r))


class StatusChangeSchema(Schema):
    id = fields.Integer()
    old_status = fields.String(allow_none=True)
    new_status = fields.String()
    changed_by = fields.UUID(allow_none=True)
    changed_at = UtcDateTime()


class AuditEntrySchema(Schema):
    id = fields.Integer()
    action = fields.String()
    actor_id = fields.UUID(allow_none=True)
    request_id = fields.String(allow_none=True)
    changes = fields.Dict()
    at = UtcDateTime()


class NotesViewSchema(Schema):
    body = fields.String()
    updated_by = fields.UUID(allow_none=True)
    updated_at = UtcDateTime(allow_none=True)


class ImageInfoSchema(Schema):
    url = fields.Function(lambda r: RECORD_IMAGE_PATH.format(r["record_id"]))
    content_type = fields.String()
    byte_size = fields.Integer()
    uploaded_at = UtcDateTime()


create_record_schema = CreateRecordSchema()
patch_record_schema = PatchRecordSchema()
search_schema = SearchSchema()
page_schema = PageSchema()
record_schema = RecordSchema()
record_view_schema = RecordViewSchema()
