"""Portal (client token) routes of API.md "Portal" that the identity service answers."""

from __future__ import annotations

from contracts.identity import PortalProfileSchema

from ..routing import route


class PortalIdentityRoutes:
    @route("GET", "/api/v1/portal/me", audience="portal", responses={200: PortalProfileSchema},
           tag="portal")
    def portal_me(self, call):
        """The client's account and global record (ID-4, ID-5)."""
        return self.rpc.identity.get_portal_profile(call.caller)
