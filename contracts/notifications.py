"""The notifications service's contract: its RPC requests and replies, list pages and events."""

from __future__ import annotations

from marshmallow import fields, validate

from .common import Strict

# What a template needs in its context (strings only: nothing but what the e-mail shows).
EMAIL_TEMPLATES = {
    "invitation": ("organization_name", "link", "expires_at"),
    "portal_welcome": ("first_name",),
    "password_reset": ("link", "expires_at"),
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


# message threads and mass sending (NOT-5 to NOT-7): their schemas and ``message_posted``
from . import messages  # noqa: E402,F401
