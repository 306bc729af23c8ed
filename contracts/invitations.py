"""The invitations service's contract: direct invitations (INV-1 to INV-4), global invitation
links and enrollment requests (INV-5, INV-6): RPC requests and replies, list pages and events."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casework.events import declare

from .common import (
    EventData,
    ListQuerySchema,
    Strict,
    UtcDateTime,
    page_of,
    phone_key,
    unique_list,
)
from .identity import ANY_PASSWORD, EMAIL, NAME, GlobalRecordPhoneSchema
from .records import DuplicateSchema

INVITATION_STATUSES = ("pending", "accepted", "superseded")
ENROLLMENT_STATUSES = ("pending", "accepted", "rejected")


# --- direct invitations (staff) ---------------------------------------------------------------

class InvitationCreateSchema(Strict):
    """INV-1: ``confirm`` says the record's e-mail is right and the client has no portal access
    yet (422 ``confirmation_required`` without it)."""

    confirm = fields.Boolean(load_default=False)


class InvitationSentSchema(Schema):
    """INV-2: an invitation was sent, when, to which address, and until when its link works."""

    invitation_id = fields.UUID(required=True)
    record_id = fields.UUID(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("sent",)))
    email = fields.String(required=True)
    sent_at = UtcDateTime(required=True)
    expires_at = UtcDateTime(required=True)
    sends = fields.Integer(required=True, metadata={"description": "1, then one more per resend"})


# --- public: the invitation link --------------------------------------------------------------

class InvitationViewSchema(Schema):
    """``GET /invitations/{token}``. ``existing_account``: the address already has a portal
    account, so accepting takes that account's password (INV-4)."""

    organization_name = fields.String(required=True)
    email = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(INVITATION_STATUSES))
    expires_at = UtcDateTime(required=True)
    existing_account = fields.Boolean(required=True)


class InvitationAcceptSchema(Strict):
    """A new password (12 characters or more), or the existing account's password."""

    password = fields.String(required=True, validate=ANY_PASSWORD, load_only=True)


class InvitationAcceptedSchema(Schema):
    """``accept_invitation``'s reply (RPC): the account the record is now linked to."""

    account_id = fields.UUID(required=True)
    global_record_id = fields.UUID(required=True)
    username = fields.String(required=True)
    organization_id = fields.UUID(required=True)
    record_id = fields.UUID(required=True)
    created = fields.Boolean(required=True, metadata={
        "description": "false when the record was linked to an account that existed"})


class InvitationSignInSchema(Schema):
    """``POST /invitations/{token}/accept``: the client is signed in to the portal."""

    access_token = fields.String(required=True)
    token_type = fields.String(required=True, validate=validate.Equal("Bearer"))
    expires_at = UtcDateTime(required=True)
    username = fields.String(required=True)
    account_id = fields.UUID(required=True)
    global_record_id = fields.UUID(required=True)
    record_id = fields.UUID(required=True)
    created = fields.Boolean(required=True)


# --- global invitation links and enrollment (INV-5, INV-6) --------------------------------------

class InvitationLinkCreateSchema(Strict):
    pass


class InvitationLinkSchema(Schema):
    id = fields.UUID(required=True)
    slug = fields.String(required=True)
    url = fields.String(required=True)
    active = fields.Boolean(required=True)
    created_at = UtcDateTime(required=True)
    disabled_at = UtcDateTime(required=True, allow_none=True)


InvitationLinkPageSchema = page_of(InvitationLinkSchema)


class JoinViewSchema(Schema):
    organization_name = fields.String(required=True)


class JoinSchema(Strict):
    """``POST /join/{slug}``: who asks to join. An e-mail that already has a portal account
    takes that account's password (401 ``invalid_credentials`` otherwise): one person, one
    account (ID-5)."""

    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)
    email = fields.Email(required=True, validate=EMAIL)
    phones = unique_list(fields.Nested(GlobalRecordPhoneSchema), key=phone_key,
                         what="phone number", load_default=list,
                         validate=validate.Length(max=10))
    password = fields.String(required=True, validate=ANY_PASSWORD, load_only=True)


class JoinedSchema(Schema):
    request_id = fields.UUID(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ENROLLMENT_STATUSES))


class EnrollmentQuerySchema(ListQuerySchema):
    status = fields.String(load_default="pending", validate=validate.OneOf(ENROLLMENT_STATUSES))


class EnrollmentRequestSchema(Schema):
    id = fields.UUID(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ENROLLMENT_STATUSES))
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(required=True)
    phones = fields.List(fields.Nested(GlobalRecordPhoneSchema), required=True)
    global_record_id = fields.UUID(required=True)
    record_id = fields.UUID(required=True, allow_none=True)
    created_at = UtcDateTime(required=True)
    decided_at = UtcDateTime(required=True, allow_none=True)
    possible_duplicates = fields.List(fields.Nested(DuplicateSchema), required=True, metadata={
        "description": "the agency's records that look like this person, best first (INV-6)"})


EnrollmentRequestPageSchema = page_of(EnrollmentRequestSchema)


class EnrollmentAcceptSchema(Strict):
    """Link the request to the agency's record ``record_id``, or (without it) create one."""

    record_id = fields.UUID(load_default=None, allow_none=True)



# --- events (invitations.events) ------------------------------------------------------------

class InvitationData(EventData):
    invitation_id = fields.UUID(load_default=None, allow_none=True)
    record_id = fields.UUID(required=True)
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320))
    # the client's global record, once accepted: records links its copy to it (ID-4)
    global_record_id = fields.UUID(load_default=None, allow_none=True)


class EnrollmentAcceptedData(InvitationData):
    request_id = fields.UUID(load_default=None, allow_none=True)


class EnrollmentRequestedData(EventData):
    request_id = fields.UUID(required=True)
    global_record_id = fields.UUID(required=True)
    record_id = fields.UUID(load_default=None, allow_none=True)


declare("invitations", "invitation_sent", InvitationData())
declare("invitations", "invitation_accepted", InvitationData())
declare("invitations", "enrollment_requested", EnrollmentRequestedData())
declare("invitations", "enrollment_accepted", EnrollmentAcceptedData())
