"""Message threads between staff and clients (NOT-5, NOT-6) and mass sending (NOT-7), kept by
the notifications service; and the records service's ``message_recipients`` RPC that mass
sending (and each staff message) asks who a record's client is.

The event ``notifications.message_posted`` is declared here (``contracts.notifications`` imports
this module, so the event is found under its source's name)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casework.events import declare

from .common import EventData, Strict, UtcDateTime, page_of, unique_list
from .records import RequestCreateSchema

# What a message body may hold (NOT-5: bold, italic and lists, nothing else, no attributes): the
# notifications service keeps only these when it stores a body, and the portal's pages keep
# only these again before they show one as HTML.
MESSAGE_TAGS = frozenset({"b", "strong", "i", "em", "ul", "ol", "li"})

# What a message body may be before sanitising (characters): a long letter, not a document.
BODY_MAX = 20_000
# Recipients of one mass send (NOT-7).
MASS_SEND_MAX = 10_000
AUTHORS = ("staff", "client")
STARTED_BY = ("staff", "client")
# every thread is a portal thread (a client reads it in the portal): the staff inbox labels
# them ``PORTAL``; ``started_by`` says who opened it (``client``: started from the portal)
LABELS = ("PORTAL",)
OUTCOMES = ("pending", "sent", "skipped", "failed")
# why a recipient was skipped or failed; ``roi_active`` and ``client_inactive`` also come from
# records' ``create_requests`` (a mass-sent request)
OUTCOME_CODES = ("no_portal_account", "portal_banned", "client_inactive", "not_a_client",
                 "no_email", "roi_active", "not_found", "request_refused", "request_failed")

BODY = fields.String(required=True, validate=validate.Length(min=1, max=BODY_MAX), metadata={
    "description": "HTML or plain text; kept: bold (b, strong), italic (i, em) and lists "
                   "(ul, ol, li), everything else is removed (their text stays). A body with "
                   "no text left is refused (422)."})


class MessageBodySchema(Strict):
    """``POST /staff/records/{id}/messages``, ``POST /staff|portal/threads/{id}/messages``."""

    body = BODY


class PortalThreadCreateSchema(Strict):
    """``POST /portal/records/{id}/threads``: a member of the record's care team who accepts
    client-initiated contact (NOT-6)."""

    staff_user_id = fields.UUID(required=True)
    body = BODY


class MessageSchema(Schema):
    id = fields.UUID(required=True)
    author = fields.String(required=True, validate=validate.OneOf(AUTHORS))
    # the staff user who wrote it, or the client's portal account
    author_id = fields.UUID(required=True, allow_none=True)
    body = fields.String(required=True, metadata={"description": "the sanitised HTML"})
    created_at = UtcDateTime(required=True)


class ThreadSchema(Schema):
    """One thread with its messages, oldest first; reading it marks it read for the reader."""

    id = fields.UUID(required=True)
    record_id = fields.UUID(required=True)
    staff_user_id = fields.UUID(required=True)
    staff_name = fields.String(required=True, allow_none=True)
    label = fields.String(required=True, validate=validate.OneOf(LABELS))
    started_by = fields.String(required=True, validate=validate.OneOf(STARTED_BY))
    created_at = UtcDateTime(required=True)
    last_message_at = UtcDateTime(required=True)
    # messages of the other side the reader had not read before this answer
    unread = fields.Integer(required=True)
    messages = fields.List(fields.Nested(MessageSchema), required=True)


class InboxItemSchema(Schema):
    """A thread in the staff inbox (the caller's threads), latest message first."""

    thread_id = fields.UUID(required=True)
    record_id = fields.UUID(required=True)
    case_number = fields.String(required=True, allow_none=True, metadata={
        "description": "the record's case number (null for a record not yet known here)"})
    label = fields.String(required=True, validate=validate.OneOf(LABELS))
    started_by = fields.String(required=True, validate=validate.OneOf(STARTED_BY))
    last_message_at = UtcDateTime(required=True)
    unread = fields.Integer(required=True, metadata={
        "description": "the client's messages the staff member has not read"})


InboxPageSchema = page_of(InboxItemSchema)


class PortalThreadItemSchema(Schema):
    """A thread on the client's record, latest message first."""

    thread_id = fields.UUID(required=True)
    record_id = fields.UUID(required=True)
    staff_user_id = fields.UUID(required=True)
    staff_name = fields.String(required=True, allow_none=True)
    started_by = fields.String(required=True, validate=validate.OneOf(STARTED_BY))
    last_message_at = UtcDateTime(required=True)
    unread = fields.Integer(required=True, metadata={
        "description": "the staff member's messages the client has not read"})


PortalThreadItemPageSchema = page_of(PortalThreadItemSchema)


# --- mass sending (NOT-7) --------------------------------------------------------------------

class MassSendMessageSchema(Strict):
    body = BODY


class MassSendCreateSchema(Strict):
    """``POST /staff/mass-sends``: to a group or a list of records, a message or a request
    (the body of ``POST /staff/records/{id}/requests``, checked by records)."""

    group_id = fields.UUID(load_default=None, allow_none=True)
    record_ids = unique_list(fields.UUID(), what="record id", load_default=None,
                             allow_none=True,
                             validate=validate.Length(min=1, max=MASS_SEND_MAX))
    message = fields.Nested(MassSendMessageSchema, load_default=None, allow_none=True)
    request = fields.Nested(RequestCreateSchema, load_default=None, allow_none=True, metadata={
        "description": "as the body of POST /staff/records/{id}/requests"})

    @validates_schema
    def _one_of_each(self, data, **kwargs):
        errors = {}
        if (data.get("group_id") is None) == (data.get("record_ids") is None):
            errors["_schema"] = ["give either group_id or record_ids"]
        if (data.get("message") is None) == (data.get("request") is None):
            errors.setdefault("_schema", []).append("give either message or request")
        if errors:
            raise ValidationError(errors)


class MassSendCreatedSchema(Schema):
    id = fields.UUID(required=True)


class MassSendResultSchema(Schema):
    record_id = fields.UUID(required=True)
    case_number = fields.String(required=True, allow_none=True, metadata={
        "description": "the record's case number (null for an unknown record)"})
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    code = fields.String(required=True, allow_none=True)
    # the thread (a message) or the request (a request) made for this recipient
    thread_id = fields.UUID(required=True, allow_none=True)
    request_id = fields.UUID(required=True, allow_none=True)
    # the e-mail telling the client of a sent message: queued, sent, failed (retrying) or dead
    # (refused by the server: `casework mail list --dead`); null when none was sent
    email_status = fields.String(required=True, allow_none=True, validate=validate.OneOf(
        ("queued", "sent", "failed", "dead")))


class MassSendSchema(Schema):
    """Progress: ``done`` counts the sent and the skipped, ``failed`` the rest that is over;
    ``status`` is ``done`` once no recipient is pending."""

    id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("message", "request")))
    status = fields.String(required=True, validate=validate.OneOf(("running", "done")))
    total = fields.Integer(required=True)
    done = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    created_at = UtcDateTime(required=True)
    finished_at = UtcDateTime(required=True, allow_none=True)
    results = fields.List(fields.Nested(MassSendResultSchema), required=True)


# --- records.message_recipients (internal RPC) ---------------------------------------------

class MessageRecipientsQuerySchema(Strict):
    """``records.message_recipients(caller, query)``: a group's members or the given records."""

    group_id = fields.UUID(load_default=None, allow_none=True)
    record_ids = unique_list(fields.UUID(), what="record id", load_default=None,
                             allow_none=True, validate=validate.Length(max=MASS_SEND_MAX))

    @validates_schema
    def _one(self, data, **kwargs):
        if (data.get("group_id") is None) == (data.get("record_ids") is None):
            raise ValidationError({"_schema": ["give either group_id or record_ids"]})


class MessageRecipientSchema(Schema):
    record_id = fields.UUID(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)
    portal_status = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)
    name = fields.String(required=True)
    first_name = fields.String(required=True)


class MessageRecipientsSchema(Schema):
    items = fields.List(fields.Nested(MessageRecipientSchema), required=True)
    missing = fields.List(fields.UUID(), required=True)


# --- events ----------------------------------------------------------------------------------

class MessagePostedData(EventData):
    thread_id = fields.UUID(required=True)
    message_id = fields.UUID(required=True)
    record_id = fields.UUID(required=True)
    author = fields.String(required=True, validate=validate.OneOf(AUTHORS))
    # the staff user who wrote it, or the client's portal account
    author_id = fields.UUID(required=True, allow_none=True)
    # the thread's staff member
    staff_user_id = fields.UUID(required=True)


declare("notifications", "message_posted", MessagePostedData())
