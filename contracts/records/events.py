"""The events the records service publishes on ``records.events`` (EVENTS.md)."""

from __future__ import annotations

from marshmallow import fields, validate

from casework.events import declare

from ..common import EventData, UtcDateTime
from .record import KINDS, PORTAL_STATUSES, STATUSES
from .requests import REQUEST_TYPES


class RecordCreatedData(EventData):
    record_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    case_number = fields.String(required=True)


class RecordChangedData(EventData):
    """What changed, by field name only: no more personal data on the bus than consumers need.
    The one value carried is the new case number (not personal: the agency's own reference,
    which notifications titles name), present when ``changed_fields`` holds ``case_number``."""

    record_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    changed_fields = fields.List(fields.String(), required=True)
    case_number = fields.String(validate=validate.Length(min=1, max=100))


class RecordLifecycleData(EventData):
    record_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))


class RecordStatusChangedData(EventData):
    record_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    old = fields.String(required=True, allow_none=True, validate=validate.OneOf(STATUSES))
    new = fields.String(required=True, validate=validate.OneOf(STATUSES))


class PortalStatusChangedData(EventData):
    record_id = fields.UUID(required=True)
    old = fields.String(required=True, allow_none=True,
                        validate=validate.OneOf(PORTAL_STATUSES))
    new = fields.String(required=True, allow_none=True, validate=validate.OneOf(PORTAL_STATUSES))


class NavigatorData(EventData):
    record_id = fields.UUID(required=True)
    user_id = fields.UUID(required=True)


class RequestCreatedData(EventData):
    """A request sent to a client (REQ-1); ``requested_by`` is the staff user who asked, to be
    told when it is fulfilled (REQ-3)."""

    request_id = fields.UUID(required=True)
    record_id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.OneOf(REQUEST_TYPES))
    requested_by = fields.UUID(required=True, allow_none=True)
    private = fields.Boolean(required=True)
    title = fields.String(required=True)


class RequestFulfilledData(RequestCreatedData):
    fulfilled_at = UtcDateTime(required=True)


declare("records", "record_created", RecordCreatedData())
declare("records", "record_updated", RecordChangedData())
declare("records", "record_deleted", RecordLifecycleData())
declare("records", "record_restored", RecordLifecycleData())
declare("records", "record_status_changed", RecordStatusChangedData())
declare("records", "portal_status_changed", PortalStatusChangedData())
declare("records", "navigator_assigned", NavigatorData())
declare("records", "navigator_unassigned", NavigatorData())
declare("records", "request_created", RequestCreatedData())
declare("records", "request_fulfilled", RequestFulfilledData())
