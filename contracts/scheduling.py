"""The scheduling service's contract: its RPC requests and replies, list pages and events
(SCH-1 to SCH-7, API.md "Staff: scheduling" and "Shapes of the routes still to build").

Times of day (availability) are the agency's local wall-clock times ``HH:MM``; instants are
ISO 8601 in UTC; the ``from``/``to`` of slot suggestions and matches are the agency's local
dates, both included."""

from __future__ import annotations

import uuid
from datetime import UTC

from marshmallow import Schema, ValidationError, fields, validate

from casework.events import declare

from .common import EventData, ListQuerySchema, Strict, UtcDateTime, page_of, unique_list

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SESSION_STATUSES = ("scheduled", "cancelled")
PAYMENT_METHODS = ("cash", "card", "transfer", "other")
MAX_PEOPLE = 20  # clients or practitioners of one session
MAX_SUGGESTED = 200  # practitioners of one slot suggestion (200 ids fit in a request line)
START = validate.Regexp(r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$(?!\n)",
                        error="a local time HH:MM from 00:00 to 23:59")
END = validate.Regexp(r"^(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)$(?!\n)",
                      error="a local time HH:MM from 00:01 to 24:00")
CURRENCY = validate.Regexp(r"^[A-Z]{3}$(?!\n)", error="an ISO 4217 code such as GBP")


def instant(**kwargs) -> fields.AwareDateTime:
    """An instant in ISO 8601; one without an offset is taken as UTC."""
    return fields.AwareDateTime(default_timezone=UTC, **kwargs)


class IdList(fields.String):
    """One or more ids in one query parameter, separated by commas (``a,b``); what the gateway
    loaded and forwards (a list of ids) loads again the same."""

    def __init__(self, *, max_ids: int, **kwargs):
        super().__init__(**kwargs)
        self.max_ids = max_ids

    def _deserialize(self, value, attr, data, **kwargs):
        parts = value if isinstance(value, list) else str(
            super()._deserialize(value, attr, data, **kwargs)).split(",")
        ids = []
        for part in parts:
            try:
                ids.append(uuid.UUID(str(part).strip()))
            except ValueError:
                raise ValidationError("ids separated by commas") from None
        if not 1 <= len(ids) <= self.max_ids:
            raise ValidationError(f"1 to {self.max_ids} ids separated by commas")
        return list(dict.fromkeys(ids))

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, (list, tuple)):
            return ",".join(str(v) for v in value)
        return super()._serialize(value, attr, obj, **kwargs)


class QuerySchema(Schema):
    """Query parameters: those a route does not know are ignored, as HTTP clients expect."""

    class Meta:
        unknown = "exclude"


def query_schema(base: type[Schema], name: str, declared: dict) -> type[Schema]:
    """A query schema with fields named like Python keywords (``from``), declared in this
    module."""
    schema = base.from_dict(declared, name=name)
    schema.__module__ = __name__
    return schema


# --- availability (SCH-1) --------------------------------------------------------------------

class IntervalSchema(Strict):
    start = fields.String(required=True, validate=START, metadata={"example": "09:00"})
    end = fields.String(required=True, validate=END, metadata={"example": "12:00"})


def _day() -> fields.List:
    return fields.List(fields.Nested(IntervalSchema), validate=validate.Length(max=48),
                       metadata={"description": "intervals of the day in the agency's time "
                                                "zone; none: unavailable that day"})


class WeeklySchema(Strict):
    monday = _day()
    tuesday = _day()
    wednesday = _day()
    thursday = _day()
    friday = _day()
    saturday = _day()
    sunday = _day()


class AvailabilityBodySchema(Strict):
    """``PUT .../availability``: the whole week; a day left out or empty is unavailable.
    Inverted or overlapping intervals are refused (422, naming the day and the interval)."""

    weekly = fields.Nested(WeeklySchema, required=True)


class AvailabilitySchema(Schema):
    owner_id = fields.UUID(required=True)
    owner_kind = fields.String(required=True,
                               validate=validate.OneOf(("client", "practitioner")))
    weekly = fields.Nested(WeeklySchema, required=True)
    timezone = fields.String(required=True, metadata={
        "description": "the agency's time zone, which the times of day are in"})
    updated_at = UtcDateTime(required=True, allow_none=True)


# --- sessions (SCH-2, SCH-4) -----------------------------------------------------------------

def _ids(**kwargs) -> fields.List:
    # each person once (issue 19: stored lists refuse repeats, 422 naming them)
    return unique_list(fields.UUID(), what="id", validate=validate.Length(min=1, max=MAX_PEOPLE),
                       **kwargs)


class SessionCreateSchema(Strict):
    client_ids = _ids(required=True)
    practitioner_ids = _ids(required=True, metadata={
        "description": "active staff users of the agency; they become navigators of the "
                       "clients (SCH-2)"})
    starts_at = instant(required=True)
    ends_at = instant(required=True)
    title = fields.String(load_default=None, allow_none=True,
                          validate=validate.Length(max=200))
    repeat_weeks = fields.Integer(load_default=1, strict=True,
                                  validate=validate.Range(min=1, max=52), metadata={
                                      "description": "how many weekly occurrences in all, at "
                                                     "the same local time each week"})
    force = fields.Boolean(load_default=False, metadata={
        "description": "book even when a practitioner already has a session then"})


class SessionPatchSchema(Strict):
    client_ids = _ids()
    practitioner_ids = _ids()
    starts_at = instant()
    ends_at = instant()
    title = fields.String(allow_none=True, validate=validate.Length(max=200))
    force = fields.Boolean(load_default=False)


class SessionSchema(Schema):
    id = fields.UUID(required=True)
    client_ids = fields.List(fields.UUID(), required=True)
    practitioner_ids = fields.List(fields.UUID(), required=True)
    starts_at = UtcDateTime(required=True)
    ends_at = UtcDateTime(required=True)
    title = fields.String(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(SESSION_STATUSES))
    series_id = fields.UUID(required=True, allow_none=True)
    created_by = fields.UUID(required=True, allow_none=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    cancelled_at = UtcDateTime(required=True, allow_none=True)
    cancelled_by = fields.UUID(required=True, allow_none=True)


class SessionCreatedSchema(SessionSchema):
    """The first session, and every occurrence of a weekly repeat (the first included)."""

    occurrences = fields.List(fields.Nested(SessionSchema), required=True)


SessionQuerySchema = query_schema(ListQuerySchema, "SessionQuerySchema", {
    "from": instant(metadata={"description": "sessions ending after this instant"}),
    "to": instant(metadata={"description": "sessions starting before this instant"}),
    "client_id": fields.UUID(),
    "practitioner_id": fields.UUID(),
    "status": fields.String(validate=validate.OneOf(SESSION_STATUSES)),
})
SessionPageSchema = page_of(SessionSchema)


# --- payments (SCH-5) ------------------------------------------------------------------------

class PaymentCreateSchema(Strict):
    client_id = fields.UUID(required=True)
    amount_minor = fields.Integer(required=True, strict=True,
                                  validate=validate.Range(min=1, max=10 ** 12),
                                  metadata={"description": "in minor units (pence, cents)"})
    currency = fields.String(required=True, validate=CURRENCY)
    paid_on = fields.Date(required=True)
    method = fields.String(required=True, validate=validate.OneOf(PAYMENT_METHODS))
    session_id = fields.UUID(load_default=None, allow_none=True,
                             metadata={"description": "a session the client attends"})


class PaymentSchema(Schema):
    id = fields.UUID(required=True)
    client_id = fields.UUID(required=True)
    amount_minor = fields.Integer(required=True)
    currency = fields.String(required=True)
    paid_on = fields.Date(required=True)
    method = fields.String(required=True, allow_none=True)
    session_id = fields.UUID(required=True, allow_none=True)
    recorded_by = fields.UUID(required=True, allow_none=True)
    created_at = UtcDateTime(required=True)


class PaymentQuerySchema(ListQuerySchema):
    client_id = fields.UUID()


PaymentPageSchema = page_of(PaymentSchema)


# --- slot suggestions, matches, coverage (SCH-6, SCH-7) --------------------------------------

def _range_fields() -> dict:
    return {
        "client_id": fields.UUID(required=True),
        "from": fields.Date(required=True, metadata={
            "description": "first local date of the range (agency's time zone)"}),
        "to": fields.Date(required=True, metadata={
            "description": "last local date of the range, included (at most 92 days)"}),
        "duration_minutes": fields.Integer(load_default=60,
                                           validate=validate.Range(min=5, max=24 * 60)),
    }


SlotsQuerySchema = query_schema(QuerySchema, "SlotsQuerySchema", {
    **_range_fields(),
    "practitioner_id": IdList(max_ids=MAX_SUGGESTED, required=True, metadata={
        "description": f"1 to {MAX_SUGGESTED} practitioner ids, separated by commas"}),
})
MatchesQuerySchema = query_schema(QuerySchema, "MatchesQuerySchema", _range_fields())


class SlotSchema(Schema):
    starts_at = UtcDateTime(required=True)
    ends_at = UtcDateTime(required=True)


class SlotsSchema(Schema):
    """Free windows at least ``duration_minutes`` long when the client and every practitioner
    are available and none has a session; any start from a window's ``starts_at`` up to its
    ``ends_at`` minus the duration fits."""

    items = fields.List(fields.Nested(SlotSchema), required=True)
    timezone = fields.String(required=True)
    duration_minutes = fields.Integer(required=True)


class MatchSchema(Schema):
    practitioner_id = fields.UUID(required=True)
    name = fields.String(required=True, allow_none=True)
    overlap_minutes = fields.Integer(required=True)


class MatchesSchema(Schema):
    """Practitioners whose free availability overlaps the client's in the range, best first."""

    items = fields.List(fields.Nested(MatchSchema), required=True)
    timezone = fields.String(required=True)


class CoverageHourSchema(Schema):
    weekday = fields.String(required=True, validate=validate.OneOf(WEEKDAYS))
    hour = fields.Integer(required=True, metadata={"description": "0-23, local time"})
    clients = fields.Integer(required=True)
    practitioners = fields.Integer(required=True)


class CoverageSchema(Schema):
    items = fields.List(fields.Nested(CoverageHourSchema), required=True)
    timezone = fields.String(required=True)


# --- the portal (a client on one of their agency records) -----------------------------------

PORTAL_WHEN = ("upcoming", "past")


class PortalSessionQuerySchema(ListQuerySchema):
    when = fields.String(load_default="upcoming", validate=validate.OneOf(PORTAL_WHEN),
                         metadata={"description": "upcoming: not ended yet, soonest first; "
                                                  "past: ended, latest first"})


class PortalPersonSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True, allow_none=True)


class PortalSessionSchema(Schema):
    """A session of the client, without the other clients of a group session."""

    id = fields.UUID(required=True)
    starts_at = UtcDateTime(required=True)
    ends_at = UtcDateTime(required=True)
    title = fields.String(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(SESSION_STATUSES))
    cancelled_at = UtcDateTime(required=True, allow_none=True)
    practitioners = fields.List(fields.Nested(PortalPersonSchema), required=True)


PortalSessionPageSchema = page_of(PortalSessionSchema)


class PortalPaymentSchema(Schema):
    id = fields.UUID(required=True)
    amount_minor = fields.Integer(required=True)
    currency = fields.String(required=True)
    paid_on = fields.Date(required=True)
    method = fields.String(required=True, allow_none=True)
    session_id = fields.UUID(required=True, allow_none=True)
    created_at = UtcDateTime(required=True)


PortalPaymentPageSchema = page_of(PortalPaymentSchema)


class PortalPractitionerSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True, metadata={
        "description": "the practitioner's staff e-mail at the agency"})


class PortalPractitionersSchema(Schema):
    """The client's practitioners: the agency's active staff who are their navigators or
    practitioners of one of their scheduled sessions, by name."""

    items = fields.List(fields.Nested(PortalPractitionerSchema), required=True)


# --- REC-9 -----------------------------------------------------------------------------------

class FinancialLinksSchema(Schema):
    """``financial_links``' reply (RPC only; records asks it before a delete, REC-9): how many
    sessions and payments the agency holds for a record."""

    record_id = fields.UUID(required=True)
    sessions = fields.Integer(required=True)
    payments = fields.Integer(required=True)


# --- events (scheduling.events) --------------------------------------------------------------

class SessionEventData(EventData):
    session_id = fields.UUID(required=True)
    client_ids = fields.List(fields.UUID(), required=True)
    practitioner_ids = fields.List(fields.UUID(), required=True)
    starts_at = UtcDateTime(required=True)
    ends_at = UtcDateTime(load_default=None, allow_none=True)
    by = fields.UUID(load_default=None, allow_none=True,
                     metadata={"description": "the staff user who booked or changed it"})


class PaymentRecordedData(EventData):
    payment_id = fields.UUID(required=True)
    client_id = fields.UUID(required=True)
    amount_minor = fields.Integer(required=True)
    currency = fields.String(required=True)
    paid_on = fields.Date(required=True)
    session_id = fields.UUID(load_default=None, allow_none=True)


declare("scheduling", "session_created", SessionEventData())
declare("scheduling", "session_updated", SessionEventData())
declare("scheduling", "session_cancelled", SessionEventData())
declare("scheduling", "payment_recorded", PaymentRecordedData())
