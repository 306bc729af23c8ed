"""A record's lifecycle and details: status history (REC-5), image (REC-2), staff-only notes
(REC-13) and audit trail (REC-15)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..common import Strict, UtcDateTime, page_of
from .record import STATUSES


class NotesBodySchema(Strict):
    body = fields.String(required=True, validate=validate.Length(max=20000))


class NotesSchema(Schema):
    body = fields.String(required=True)
    updated_by = fields.UUID(required=True, allow_none=True)
    updated_at = UtcDateTime(required=True, allow_none=True)


class StatusChangeSchema(Schema):
    # random: ids of a platform-wide sequence would count other agencies' changes (issue 19)
    id = fields.UUID(required=True)
    old_status = fields.String(required=True, allow_none=True,
                               validate=validate.OneOf(STATUSES))
    new_status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    changed_by = fields.UUID(required=True, allow_none=True)
    changed_by_name = fields.String(required=True, allow_none=True, metadata={
        "description": "who, by name (null for a change no staff user made)"})
    changed_by_role = fields.String(required=True, allow_none=True, metadata={
        "description": "the name of their role"})
    changed_at = UtcDateTime(required=True)


class AuditEntrySchema(Schema):
    # random: ids of a platform-wide sequence would count other agencies' actions (issue 19)
    id = fields.UUID(required=True)
    action = fields.String(required=True)
    actor_id = fields.UUID(required=True, allow_none=True)
    actor_name = fields.String(required=True, allow_none=True, metadata={
        "description": "who, by name (null for what no staff user did: an event)"})
    actor_role = fields.String(required=True, allow_none=True, metadata={
        "description": "the name of their role"})
    record_id = fields.UUID(required=True, allow_none=True, metadata={
        "description": "null for a search (record_ids) and a contact's read or change"})
    record_ids = fields.List(fields.UUID(), required=True, allow_none=True, metadata={
        "description": "a search: the records it returned"})
    contact_id = fields.UUID(required=True, allow_none=True)
    request_id = fields.String(required=True, allow_none=True)
    changes = fields.Dict(required=True, metadata={
        "description": "changed fields: {field: {old, new}}"})
    at = UtcDateTime(required=True)


class ImageUploadSchema(Strict):
    """RPC request of an upload: the bytes in base64 (RPC carries JSON) and the content type the
    client declared; the service decides the type by the bytes (REC-2)."""

    content_type = fields.String(load_default=None, allow_none=True)
    data = fields.String(required=True)


class ImageInfoSchema(Schema):
    url = fields.String(required=True)
    content_type = fields.String(required=True)
    byte_size = fields.Integer(required=True)
    uploaded_at = UtcDateTime(required=True)


class ImageSchema(ImageInfoSchema):
    """RPC reply of reading the image: its bytes in base64 (the gateway answers them raw)."""

    data = fields.String(required=True)


StatusChangePageSchema = page_of(StatusChangeSchema)
AuditEntryPageSchema = page_of(AuditEntrySchema)
