"""The notifications service's contract: its RPC requests and replies, list pages and events."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import ListQuerySchema, Strict, UtcDateTime, page_of, unique_list

# What a template needs in its context (strings only: nothing but what the e-mail shows).
EMAIL_TEMPLATES = {
    "invitation": ("organization_name", "link", "expires_at"),
    "portal_welcome": ("first_name",),
    "password_reset": ("link", "expires_at"),
    # a staff member's notification, e-mailed at once (their preference): its title (a case
    # number at most, never a client's name or a message's body) and a link to the console
    "notification": ("name", "title", "link"),
    # the day's notifications of a staff member who chose the daily digest
    "notification_digest": ("name", "count", "summary", "link"),
    # NOT-4: a new active staff user; never a password (the console's password reset instead)
    "staff_welcome": ("first_name", "organization_name", "link"),
    # NOT-5: a new message in the portal (never its body: the e-mail says where to read it)
    "new_message": ("organization_name", "first_name", "link"),
}


class SendEmailSchema(Strict):
    """``notifications.send_email(message)``: queue one e-mail (NOT-3). Internal RPC for other
    services, never routed by the gateway. The same ``key`` queues the e-mail once (a repeated
    call answers the first queueing): callers name it after what it is about, e.g.
    ``invitation:<invitation id>:<send number>``. ``context`` holds only what the e-mail shows:
    a link may carry its own token, nothing else secret."""

    key = fields.String(required=True, validate=validate.Length(min=1, max=200))
    organization_id = fields.UUID(load_default=None, allow_none=True)
    to = fields.Email(required=True, validate=validate.Length(max=320))
    template = fields.String(required=True, validate=validate.OneOf(sorted(EMAIL_TEMPLATES)))
    context = fields.Dict(keys=fields.String(validate=validate.Length(max=100)),
                          values=fields.String(validate=validate.Length(max=2000)),
                          load_default=dict)


class EmailQueuedSchema(Strict):
    email_id = fields.UUID(required=True)
    status = fields.String(required=True,
                           validate=validate.OneOf(("queued", "sent", "failed", "dead")))


# --- in-app notifications (NOT-1, NOT-2) ---------------------------------------------------

# the kinds of notification; action kinds are e-mailed at once by default, date kinds gathered
# into the daily digest (services/notifications/domain.py KINDS)
NOTIFICATION_KINDS = ("record_assigned", "record_status_changed", "client_message",
                      "request_fulfilled", "session_booked")
DELIVERIES = ("in_app", "email", "digest")


class NotificationSchema(Schema):
    id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(NOTIFICATION_KINDS))
    record_id = fields.UUID(required=True, allow_none=True,
                            metadata={"description": "the record it is about, if one"})
    title = fields.String(required=True, metadata={
        "description": "what happened; names a record by its case number only"})
    read = fields.Boolean(required=True)
    created_at = UtcDateTime(required=True)


class NotificationQuerySchema(ListQuerySchema):
    unread = fields.Boolean(load_default=False,
                            metadata={"description": "only the notifications not read yet"})


NotificationPageSchema = page_of(NotificationSchema)


class NotificationPreferenceSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(NOTIFICATION_KINDS))
    delivery = fields.String(required=True, validate=validate.OneOf(DELIVERIES))
    default = fields.String(required=True, validate=validate.OneOf(DELIVERIES), metadata={
        "description": "the kind's delivery for whoever has not chosen"})


class NotificationPreferencesSchema(Schema):
    """Every kind with how it reaches the staff member: ``in_app`` only, ``email`` at once
    (and in the app), or ``digest`` (in the app, and in one e-mail a day)."""

    items = fields.List(fields.Nested(NotificationPreferenceSchema), required=True)


class NotificationChoiceSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(NOTIFICATION_KINDS))
    delivery = fields.String(required=True, validate=validate.OneOf(DELIVERIES))


class NotificationPreferencesUpdateSchema(Strict):
    """The kinds to change (others keep theirs), each at most once."""

    items = unique_list(fields.Nested(NotificationChoiceSchema), key=lambda c: c.get("kind"),
                        what="kind", required=True,
                        validate=validate.Length(min=1, max=len(NOTIFICATION_KINDS)))


class UnassignedNotificationsSchema(Schema):
    """A record with notifications nobody received (it had no active navigator then)."""

    record_id = fields.UUID(required=True)
    notifications = fields.Integer(required=True)
    latest_at = UtcDateTime(required=True)
    latest_kind = fields.String(required=True, validate=validate.OneOf(NOTIFICATION_KINDS))
    latest_title = fields.String(required=True)


UnassignedNotificationsPageSchema = page_of(UnassignedNotificationsSchema)
# message threads and mass sending (NOT-5 to NOT-7): their schemas and ``message_posted``
from . import messages  # noqa: E402,F401
