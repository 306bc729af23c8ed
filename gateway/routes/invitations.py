"""Staff routes of API.md "Staff: invitations and enrollment", and the administrators' global
invitation links, that the invitations service answers."""

from __future__ import annotations

from contracts.common import ListQuerySchema
from contracts.invitations import (
    EnrollmentAcceptSchema,
    EnrollmentQuerySchema,
    EnrollmentRequestPageSchema,
    EnrollmentRequestSchema,
    InvitationCreateSchema,
    InvitationLinkCreateSchema,
    InvitationLinkPageSchema,
    InvitationLinkSchema,
    InvitationSentSchema,
)
from contracts.records import DuplicatePageSchema, PersonQuerySchema

from ..routing import route

INVITE = "client_account_invitations"
RECORD = "/api/v1/staff/records/<record_id>"
REQUEST = "/api/v1/staff/enrollment-requests/<request_id>"


class InvitationRoutes:
    @route("POST", f"{RECORD}/invitation", audience="staff", permission=INVITE,
           body=InvitationCreateSchema(), responses={201: InvitationSentSchema},
           errors=(409, 422, 503), tag="invitations")
    def send_invitation(self, call, record_id, body):
        """INV-1, INV-2: e-mail the client a single-use link to make their portal account.
        409 ``portal_not_enabled`` or ``already_has_account``, 422 ``no_primary_email`` or
        ``confirmation_required`` (send ``{"confirm": true}``)."""
        return 201, self.rpc.invitations.send_invitation(call.caller, record_id, body)

    @route("POST", f"{RECORD}/invitation/resend", audience="staff", permission=INVITE,
           responses={200: InvitationSentSchema}, errors=(409, 503), tag="invitations")
    def resend_invitation(self, call, record_id):
        """INV-3: a new link to the original address; every earlier link stops working."""
        return self.rpc.invitations.resend_invitation(call.caller, record_id)

    @route("GET", "/api/v1/staff/enrollment-requests", audience="staff", permission=INVITE,
           query=EnrollmentQuerySchema(), responses={200: EnrollmentRequestPageSchema},
           tag="invitations")
    def list_enrollment_requests(self, call, query):
        """INV-5, INV-6: requests through the global link (default: pending), each with the
        agency's records that look like the same person."""
        return self.rpc.invitations.list_enrollment_requests(call.caller, query)

    @route("POST", f"{REQUEST}/accept", audience="staff", permission=INVITE,
           body=EnrollmentAcceptSchema(), responses={200: EnrollmentRequestSchema},
           errors=(409,), tag="invitations")
    def accept_enrollment_request(self, call, request_id, body):
        """Accept: link the record ``record_id`` picked, or create a record (without it)."""
        return self.rpc.invitations.accept_enrollment_request(call.caller, request_id, body)

    @route("POST", f"{REQUEST}/reject", audience="staff", permission=INVITE,
           responses={200: EnrollmentRequestSchema}, errors=(409,), tag="invitations")
    def reject_enrollment_request(self, call, request_id):
        """Reject the request (409 once decided)."""
        return self.rpc.invitations.reject_enrollment_request(call.caller, request_id)

    @route("GET", "/api/v1/staff/invitation-links", audience="staff", permission="agency_admin",
           query=ListQuerySchema(), responses={200: InvitationLinkPageSchema},
           tag="invitations")
    def list_invitation_links(self, call, query):
        """The agency's global invitation links, newest first (INV-5)."""
        return self.rpc.invitations.list_invitation_links(call.caller, query)

    @route("POST", "/api/v1/staff/invitation-links", audience="staff",
           permission="agency_admin", body=InvitationLinkCreateSchema(),
           responses={201: InvitationLinkSchema}, tag="invitations")
    def create_invitation_link(self, call, body):
        """A new global invitation link with its own unguessable slug (INV-5)."""
        return 201, self.rpc.invitations.create_invitation_link(call.caller, body)

    @route("DELETE", "/api/v1/staff/invitation-links/<link_id>", audience="staff",
           permission="agency_admin", responses={204: None}, tag="invitations")
    def disable_invitation_link(self, call, link_id):
        """Disable the link for good (INV-5)."""
        self.rpc.invitations.disable_invitation_link(call.caller, link_id)
        return 204, None

    @route("GET", "/api/v1/staff/records/duplicates", audience="staff",
           query=PersonQuerySchema(), responses={200: DuplicatePageSchema}, tag="records")
    def find_duplicates(self, call, query):
        """The agency's records that look like this person (same e-mail, same phone, a similar
        or sound-alike name, same date of birth), best first, each graded ``certain``,
        ``probable`` or ``possible`` with its score and reasons (INV-6)."""
        return self.rpc.records.find_duplicates(call.caller, query)
