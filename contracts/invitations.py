"""The invitations service's contract (its routes and RPC come with the portal issue)."""

from __future__ import annotations

from marshmallow import fields, validate

from casework.events import declare

from .common import EventData

# --- events (invitations.events) ------------------------------------------------------------

class InvitationData(EventData):
    invitation_id = fields.UUID(load_default=None, allow_none=True)
    record_id = fields.UUID(required=True)
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320))


class EnrollmentAcceptedData(InvitationData):
    request_id = fields.UUID(load_default=None, allow_none=True)
    global_record_id = fields.UUID(load_default=None, allow_none=True)


declare("invitations", "invitation_sent", InvitationData())
declare("invitations", "invitation_accepted", InvitationData())
declare("invitations", "enrollment_accepted", EnrollmentAcceptedData())
