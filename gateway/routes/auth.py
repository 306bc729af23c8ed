"""Authentication routes of API.md "Authentication": staff and portal login, logout."""

from __future__ import annotations

from casework.errors import Unauthenticated
from contracts.identity import PortalLoginSchema, StaffLoginSchema, StaffTokenSchema, TokenSchema

from ..auth import bearer_token, client_address
from ..routing import route


class AuthRoutes:
    @route("POST", "/api/v1/auth/staff/login", audience="public", body=StaffLoginSchema(),
           responses={200: StaffTokenSchema}, tag="authentication",
           errors=(401, 429))
    def staff_login(self, call, body):
        """A staff token for one agency. Unknown users and wrong passwords get the same 401
        ``invalid_credentials``; repeated failures per account and per address get 429
        ``rate_limited`` with ``Retry-After``."""
        return self.rpc.identity.staff_login(body, client_address(call.request))

    @route("POST", "/api/v1/auth/portal/login", audience="public", body=PortalLoginSchema(),
           responses={200: TokenSchema}, tag="authentication",
           errors=(401, 429))
    def portal_login(self, call, body):
        """A portal (client) token; throttled like staff login."""
        return self.rpc.identity.portal_login(body, client_address(call.request))

    @route("POST", "/api/v1/auth/logout", audience="public", responses={204: None},
           tag="authentication", errors=(401,))
    def logout(self, call):
        """Revoke the bearer token (staff or portal) of this request."""
        token = bearer_token(call.request)
        if token is None:
            raise Unauthenticated("send Authorization: Bearer <token>")
        self.auth.logout(token)
        return 204, None
