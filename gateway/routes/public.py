"""Public routes of API.md "Public": the invitation link (INV-2, INV-4) and the agency's global
invitation link (INV-5). No token: the link's own token or slug is the key."""

from __future__ import annotations

from contracts.invitations import (
    InvitationAcceptSchema,
    InvitationSignInSchema,
    InvitationViewSchema,
    JoinedSchema,
    JoinSchema,
    JoinViewSchema,
)

from ..auth import client_address
from ..routing import route


class PublicRoutes:
    @route("GET", "/api/v1/invitations/<token>", audience="public",
           responses={200: InvitationViewSchema}, tag="public")
    def get_invitation(self, call, token):
        """The invitation behind a link; 404 ``invitation_invalid`` when unknown, used,
        superseded or expired."""
        return self.rpc.invitations.get_invitation(token)

    @route("POST", "/api/v1/invitations/<token>/accept", audience="public",
           body=InvitationAcceptSchema(), responses={201: InvitationSignInSchema},
           errors=(401, 409, 429, 503), tag="public")
    def accept_invitation(self, call, token, body):
        """INV-4: set a password (the account is made, username = the invited e-mail) or give
        the password of the account that e-mail already has (401 ``invalid_credentials``
        otherwise); the record is linked and the client signed in. Single use."""
        address = client_address(call.request)
        accepted = self.rpc.invitations.accept_invitation(token, body, address)
        session = self.rpc.identity.portal_login(
            {"username": accepted["username"], "password": body["password"]}, address)
        return 201, {**session, "username": accepted["username"],
                     "account_id": accepted["account_id"],
                     "global_record_id": accepted["global_record_id"],
                     "record_id": accepted["record_id"], "created": accepted["created"]}

    @route("GET", "/api/v1/join/<slug>", audience="public", responses={200: JoinViewSchema},
           tag="public")
    def get_join(self, call, slug):
        """The agency behind a global invitation link (404 ``invitation_invalid`` once
        disabled)."""
        return self.rpc.invitations.get_join(slug)

    @route("POST", "/api/v1/join/<slug>", audience="public", body=JoinSchema(),
           responses={202: JoinedSchema}, errors=(401, 429, 503), tag="public")
    def join(self, call, slug, body):
        """INV-5: a global record, a portal account (or the one this e-mail has, proven by its
        password) and an enrollment request that the agency's staff accept or reject."""
        return 202, self.rpc.invitations.join(slug, body, client_address(call.request))
